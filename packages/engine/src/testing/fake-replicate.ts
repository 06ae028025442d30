/**
 * A fake of Replicate's predictions API as documented (replicate.com/docs/topics/predictions, the HTTP API):
 * `POST /v1/predictions` `{version, input}` → 201 with a prediction `{id, status: "starting", urls}`;
 * `GET /v1/predictions/{id}` → `processing` for a few polls, then `succeeded` with `output` (a URL on the fake,
 * served from `/files/…`) or `failed` with `error`; `POST /v1/predictions/{id}/cancel`. API errors are problem
 * details `{title, detail, status}` (401, 402, 429 with retry-after, 5xx). Bearer token checked.
 */
import { bytesOfDataUrl, driftedResult, type FakeServer, sendJson, startFakeServer } from './http-fake.js';

export type ReplicateOutcome =
  | 'ok'
  | 'failed'
  | 'neverFinishes'
  | 'paymentRequired'
  | { rateLimited: number }
  | 'serverError';

export interface FakeReplicate extends FakeServer {
  baseUrl: string;
  script: ReplicateOutcome[];
  /** The `input` of each created prediction (data URLs replaced by their byte length). */
  inputs: Array<Record<string, unknown>>;
  cancelled: string[];
}

export async function startFakeReplicate(options: {
  apiToken: string;
  pollsBeforeDone?: number;
}): Promise<FakeReplicate> {
  const predictions = new Map<string, { outcome: ReplicateOutcome; polls: number; output: Buffer | null }>();
  let next = 0;
  const fake = { script: [], inputs: [], cancelled: [] } as unknown as FakeReplicate;
  const problem = (res: Parameters<typeof sendJson>[0], status: number, title: string, headers = {}) =>
    sendJson(res, status, { title, detail: `${title} (fake)`, status }, headers);

  const server = await startFakeServer(async (req, body, res) => {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    if (req.method === 'GET' && path.startsWith('/files/')) {
      const p = predictions.get(path.slice('/files/'.length).replace(/\.png$/, ''));
      if (!p?.output) return problem(res, 404, 'Not found');
      res.writeHead(200, { 'content-type': 'image/png' });
      return res.end(p.output);
    }
    if (req.headers.authorization !== `Bearer ${options.apiToken}`) return problem(res, 401, 'Unauthenticated');
    const view = (id: string, status: string, more: Record<string, unknown> = {}) => ({
      id,
      status,
      output: null,
      error: null,
      urls: { get: `${server.url}/v1/predictions/${id}`, cancel: `${server.url}/v1/predictions/${id}/cancel` },
      ...more,
    });

    if (req.method === 'POST' && path === '/v1/predictions') {
      const json = JSON.parse(body.toString('utf8')) as { version?: string; input?: Record<string, unknown> };
      if (!json.version || !json.input) return problem(res, 422, 'Invalid input');
      const images = Object.fromEntries(
        Object.entries(json.input).map(([k, v]) => [k, bytesOfDataUrl(v)?.length ?? v]),
      );
      fake.inputs.push(images);
      const outcome = fake.script.shift() ?? 'ok';
      if (outcome === 'paymentRequired') return problem(res, 402, 'Payment required');
      if (outcome === 'serverError') return problem(res, 500, 'Internal server error');
      if (typeof outcome === 'object') {
        return problem(res, 429, 'Request was throttled', { 'retry-after': String(outcome.rateLimited) });
      }
      const person = Object.values(json.input)
        .map(bytesOfDataUrl)
        .find((b) => b !== null);
      const id = `rp${++next}`;
      predictions.set(id, {
        outcome,
        polls: 0,
        output: outcome === 'ok' && person ? await driftedResult(person) : null,
      });
      return sendJson(res, 201, view(id, 'starting'));
    }
    const m = /^\/v1\/predictions\/([^/]+)(\/cancel)?$/.exec(path);
    const p = m ? predictions.get(m[1]!) : undefined;
    if (!m || !p) return problem(res, 404, 'Not found');
    const id = m[1]!;
    if (req.method === 'POST' && m[2]) {
      fake.cancelled.push(id);
      p.outcome = 'failed';
      return sendJson(res, 200, view(id, 'canceled'));
    }
    p.polls++;
    if (p.outcome === 'neverFinishes' || p.polls <= (options.pollsBeforeDone ?? 1)) {
      return sendJson(res, 200, view(id, 'processing'));
    }
    if (p.outcome === 'failed') return sendJson(res, 200, view(id, 'failed', { error: 'CUDA out of memory (fake)' }));
    return sendJson(res, 200, view(id, 'succeeded', { output: [`${server.url}/files/${id}.png`] }));
  });
  return Object.assign(fake, server, { baseUrl: `${server.url}/v1` });
}
