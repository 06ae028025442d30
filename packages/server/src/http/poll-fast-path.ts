/**
 * The polling fast path: `GET /tryon/v1/generations/:id` answered straight from Node's HTTP server, in front of
 * Fastify.
 *
 * Why: clients poll every couple of seconds while a try-on runs, so this one route carries most of the traffic. Its
 * own work is small (a cached key lookup, the rate-limit count, one SQLite point read, a signed URL), and Fastify's
 * per-request machinery (routing, the request/reply objects, the per-request child logger, hooks) cost about as much
 * as all of it together. `npm run bench -- generations-rps` measures the route against a bare Fastify route.
 *
 * What it does is the same as the Fastify route (http/app.ts + routes/get-generation.route.ts), through the same
 * functions: `requestIdOf`, `deps.accounts.authenticate`, `countRequest`, `deps.generations.getOwned`/`toApi`, and
 * `toApiError` for failures. It answers only what it can answer exactly like Fastify would, and otherwise hands the
 * request to Fastify untouched — before anything with a side effect (the rate-limit count) has happened:
 *   - other methods and paths, ids that would need URL-decoding or fail validation, missing/unknown/revoked keys
 *     (Fastify's path also counts failed authentications per client address), a server that is shutting down;
 *   - any LOG_LEVEL that logs each request (info and below): Fastify writes those lines, so the path stays off.
 * `poll-fast-path.test.ts` compares its answers with Fastify's for every case, byte for byte where they must match.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import type { Deps } from '../deps.js';
import { countRequest, lookupableApiKey, requestIdOf } from './access.js';
import { API_PREFIX } from './route.js';
import { toApiError } from './to-api-error.js';

const PATH = new RegExp(`^${API_PREFIX}/generations/([A-Za-z0-9_-]{1,64})(?:\\?.*)?$`);

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export interface PollFastPath {
  /** Answers the request, or hands it to `fastify` (Fastify's own handler) untouched. */
  handle(req: IncomingMessage, res: ServerResponse, fastify: Handler): void;
  /** Requests answered here (for tests and metrics). */
  readonly served: number;
}

export function createPollFastPath(
  deps: Deps,
  log: FastifyBaseLogger,
  { enabled }: { enabled: boolean },
): PollFastPath {
  let served = 0;

  /** Resolves false, having done nothing, when the request is Fastify's after all. */
  async function answer(req: IncomingMessage, res: ServerResponse, id: string, apiKey: string): Promise<boolean> {
    const account = await deps.accounts.authenticate(apiKey);
    if (!account) return false; // 401, or 429 for repeated bad keys: Fastify's path, with the per-address count
    served++;
    const requestId = requestIdOf(req.headers['x-request-id']);
    const headers: Array<string | number> = ['x-request-id', requestId];
    try {
      const verdict = await countRequest(account, deps);
      headers.push(...verdict.headers);
      if (verdict.error) throw verdict.error;
      const generation = await deps.generations.toApi(await deps.generations.getOwned(account.id, id));
      send(res, 200, headers, JSON.stringify(generation));
    } catch (err) {
      const apiError = toApiError(err);
      if (apiError.status >= 500) log.error({ reqId: requestId, err }, 'request failed');
      send(res, apiError.status, headers, JSON.stringify(apiError.toBody()));
    }
    return true;
  }

  return {
    get served() {
      return served;
    },
    handle(req, res, fastify) {
      const match = enabled && req.method === 'GET' && !deps.stopping.aborted ? PATH.exec(req.url ?? '') : null;
      const apiKey = match ? lookupableApiKey(req.headers['x-api-key']) : null;
      if (!match || apiKey === null) {
        fastify(req, res);
        return;
      }
      // Whether the request is ours is known once the key is authenticated (async: a cache miss reads the
      // database). Until then nothing has been read from or written to the socket, so Fastify can still take it.
      answer(req, res, match[1]!, apiKey).then(
        (answered) => {
          if (!answered) fastify(req, res);
        },
        (err) => {
          // Only authentication can throw before an answer (a database failure): Fastify answers it as it would.
          log.warn({ err }, 'polling fast path: authentication failed, handing the request to Fastify');
          fastify(req, res);
        },
      );
    },
  };
}

function send(res: ServerResponse, status: number, headers: Array<string | number>, body: string): void {
  headers.push('content-type', 'application/json; charset=utf-8', 'content-length', Buffer.byteLength(body));
  res.writeHead(status, headers as string[]);
  res.end(body);
}
