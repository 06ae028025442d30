/**
 * A fake inference server speaking the Open Inference Protocol's REST API (KServe v2 / Triton): `GET /v2/health/ready`,
 * `GET /v2/models/{name}` (metadata), `POST /v2/models/{name}/infer` with the BYTES tensors of oip-engine.ts.
 * Errors answer `{"error": "…"}` as the protocol says. Each inference takes the next scripted outcome.
 */
import { driftedResult, type FakeServer, sendJson, startFakeServer } from './http-fake.js';

export type OipOutcome =
  | 'ok'
  /** HTTP 400 `{"error": "CODE: message"}`: the model refuses the input. */
  | { refuse: string }
  /** HTTP 503 (the model is loading or the server overloaded). */
  | 'unavailable'
  /** HTTP 429 with retry-after. */
  | { rateLimited: number }
  /** Never answers (the adapter's deadline must end it). */
  | 'hang';

export interface FakeOip extends FakeServer {
  script: OipOutcome[];
  /** The inference requests received: tensor names, shapes and parameters (data replaced by lengths). */
  requests: Array<{
    inputs: Array<{ name: string; shape: number[]; datatype: string }>;
    parameters: Record<string, unknown>;
  }>;
}

interface Tensor {
  name: string;
  shape: number[];
  datatype: string;
  parameters?: { content_type?: string };
  data: string[];
}

export async function startFakeOip(options: { model: string }): Promise<FakeOip> {
  const fake = { script: [] as OipOutcome[], requests: [] as FakeOip['requests'] } as FakeOip;
  const server = await startFakeServer(async (req, body, res) => {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    if (req.method === 'GET' && path === '/v2/health/ready') return sendJson(res, 200, {});
    if (req.method === 'GET' && path === `/v2/models/${options.model}`) {
      return sendJson(res, 200, {
        name: options.model,
        platform: 'python',
        inputs: [
          { name: 'person', datatype: 'BYTES', shape: [1] },
          { name: 'garment', datatype: 'BYTES', shape: [-1] },
        ],
        outputs: [{ name: 'result', datatype: 'BYTES', shape: [1] }],
      });
    }
    if (req.method !== 'POST' || path !== `/v2/models/${options.model}/infer`) {
      return sendJson(res, 404, { error: `no route ${path}` });
    }
    const json = JSON.parse(body.toString('utf8')) as {
      inputs?: Tensor[];
      parameters?: Record<string, unknown>;
      id?: string;
    };
    const person = json.inputs?.find((t) => t.name === 'person');
    const garment = json.inputs?.find((t) => t.name === 'garment');
    for (const t of [person, garment]) {
      if (t?.datatype !== 'BYTES' || t.parameters?.content_type !== 'base64' || t.shape[0] !== t.data.length) {
        return sendJson(res, 400, { error: 'inputs person and garment must be base64 BYTES tensors' });
      }
    }
    fake.requests.push({
      inputs: (json.inputs ?? []).map((t) => ({ name: t.name, shape: t.shape, datatype: t.datatype })),
      parameters: json.parameters ?? {},
    });
    const outcome = fake.script.shift() ?? 'ok';
    if (outcome === 'hang') return; // the connection stays open until the client gives up or the server closes
    if (outcome === 'unavailable') return sendJson(res, 503, { error: 'model is not ready' });
    if (typeof outcome === 'object' && 'refuse' in outcome) {
      return sendJson(res, 400, { error: `${outcome.refuse}: refused by the fake model` });
    }
    if (typeof outcome === 'object' && 'rateLimited' in outcome) {
      return sendJson(res, 429, { error: 'too many requests' }, { 'retry-after': String(outcome.rateLimited) });
    }
    const result = await driftedResult(Buffer.from(person!.data[0]!, 'base64'));
    return sendJson(res, 200, {
      model_name: options.model,
      model_version: '1',
      id: json.id,
      outputs: [{ name: 'result', datatype: 'BYTES', shape: [1], data: [result.toString('base64')] }],
    });
  });
  return Object.assign(fake, server);
}
