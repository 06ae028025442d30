/**
 * A fake of FASHN's API as its documentation describes it (docs.fashn.ai: API fundamentals, error handling), for the
 * adapter's tests: `POST /v1/run` (bearer key, `{model_name, inputs}`) answers `{id, error: null}`;
 * `GET /v1/status/{id}` answers `in_queue` / `processing` for a few polls, then `completed` with `output` (base64
 * data URLs when `return_base64`, else URLs served by the fake) or `failed` with `error: {name, message}`.
 * API-level errors answer `{error, message}` with their status (401 UnauthorizedAccess, 429 RateLimitExceeded with
 * `retry-after`, 429 OutOfCredits, 500 InternalServerError). Each submission takes the next scripted outcome.
 */
import type { ServerResponse } from 'node:http';
import { bytesOfDataUrl, driftedResult, type FakeServer, sendJson, startFakeServer } from './http-fake.js';

export type FashnOutcome =
  | 'ok'
  | { rateLimited: number /* retry-after, s */ }
  | 'concurrencyLimited'
  | 'outOfCredits'
  | 'serverError'
  /** Accepted, then `in_queue` forever. */
  | 'neverFinishes'
  /** Accepted, then `failed` with this runtime error name. */
  | { runtimeError: string };

export interface FakeFashn extends FakeServer {
  /** The base URL to configure (`…/v1`). */
  baseUrl: string;
  /** Outcomes of the next submissions, in order; when empty, 'ok'. */
  script: FashnOutcome[];
  /** Every `/run` body received (images replaced by their byte length). */
  runs: Array<{ model_name: string; inputs: Record<string, unknown> }>;
  statusPolls: number;
  /** Authorization headers seen (a test checks the key is sent, and only there). */
  authorizations: string[];
}

const OUTPUT_SIZE = { width: 864, height: 1296 };

export async function startFakeFashn(options: { apiKey: string; pollsBeforeDone?: number }): Promise<FakeFashn> {
  const predictions = new Map<
    string,
    { outcome: FashnOutcome; polls: number; output: Buffer | null; base64: boolean }
  >();
  let next = 0;
  const fake = {} as FakeFashn;
  const apiError = (res: ServerResponse, status: number, error: string, headers: Record<string, string> = {}) =>
    sendJson(res, status, { error, message: `${error} (fake)` }, headers);

  const server = await startFakeServer(async (req, body, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (req.method === 'GET' && url.pathname.startsWith('/files/')) {
      const p = predictions.get(url.pathname.slice('/files/'.length).replace(/\.png$/, ''));
      if (!p?.output) return apiError(res, 404, 'NotFound');
      res.writeHead(200, { 'content-type': 'image/png' });
      return res.end(p.output);
    }
    fake.authorizations.push(req.headers.authorization ?? '');
    if (req.headers.authorization !== `Bearer ${options.apiKey}`) return apiError(res, 401, 'UnauthorizedAccess');

    if (req.method === 'POST' && url.pathname === '/v1/run') {
      const json = JSON.parse(body.toString('utf8')) as { model_name?: string; inputs?: Record<string, unknown> };
      const person = bytesOfDataUrl(json.inputs?.model_image);
      const garment = bytesOfDataUrl(json.inputs?.garment_image);
      if (!json.model_name || !person || !garment) return apiError(res, 400, 'BadRequest');
      fake.runs.push({
        model_name: json.model_name,
        inputs: { ...json.inputs, model_image: person.length, garment_image: garment.length },
      });
      const outcome = fake.script.shift() ?? 'ok';
      if (typeof outcome === 'object' && 'rateLimited' in outcome) {
        return apiError(res, 429, 'RateLimitExceeded', { 'retry-after': String(outcome.rateLimited) });
      }
      if (outcome === 'concurrencyLimited') return apiError(res, 429, 'ConcurrencyLimitExceeded');
      if (outcome === 'outOfCredits') return apiError(res, 429, 'OutOfCredits');
      if (outcome === 'serverError') return apiError(res, 500, 'InternalServerError');
      const id = `pred-${++next}`;
      const output = outcome === 'ok' ? await driftedResult(person, OUTPUT_SIZE) : null;
      predictions.set(id, { outcome, polls: 0, output, base64: json.inputs?.return_base64 === true });
      return sendJson(res, 200, { id, error: null });
    }

    if (req.method === 'GET' && url.pathname.startsWith('/v1/status/')) {
      fake.statusPolls++;
      const id = decodeURIComponent(url.pathname.slice('/v1/status/'.length));
      const p = predictions.get(id);
      if (!p) return apiError(res, 404, 'NotFound');
      p.polls++;
      if (p.outcome === 'neverFinishes' || p.polls <= (options.pollsBeforeDone ?? 1)) {
        return sendJson(res, 200, { id, status: p.polls === 1 ? 'in_queue' : 'processing', output: null, error: null });
      }
      if (typeof p.outcome === 'object' && 'runtimeError' in p.outcome) {
        const name = p.outcome.runtimeError;
        return sendJson(res, 200, { id, status: 'failed', output: null, error: { name, message: `${name} (fake)` } });
      }
      const output = p.base64
        ? `data:image/png;base64,${p.output!.toString('base64')}`
        : `${server.url}/files/${id}.png`;
      return sendJson(res, 200, { id, status: 'completed', output: [output], error: null });
    }
    return apiError(res, 404, 'NotFound');
  });
  return Object.assign(fake, server, {
    baseUrl: `${server.url}/v1`,
    script: [],
    runs: [],
    statusPolls: 0,
    authorizations: [],
  });
}
