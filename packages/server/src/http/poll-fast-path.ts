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
 * request to Fastify untouched — before anything with a side effect (the rate-limit count) has happened: other
 * methods and paths, ids that would need URL-decoding or fail validation, missing/unknown/revoked keys (Fastify's
 * path also counts failed authentications per client address), a server that is shutting down.
 *
 * It logs what Fastify logs for the request, through the same logger (same level, serializers, redaction,
 * destination): `incoming request`, the error handler's `request rejected` / `request failed`, and `request completed`
 * once the response is finished, each with the request id under `reqId` as Fastify's per-request child logger writes
 * it. `poll-fast-path.test.ts` compares its answers and its log lines with Fastify's for every case.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import proxyAddr from '@fastify/proxy-addr';
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
  /** On by default; off, every request goes to Fastify (the tests compare both paths over real HTTP this way). */
  enabled: boolean;
}

export interface PollFastPathOptions {
  /** Whether the logger writes `info` lines, i.e. each request is logged (LOG_LEVEL info and below). */
  logRequests: boolean;
  /** TRUST_PROXY: the logged client address and host come from X-Forwarded-For / X-Forwarded-Host, as in Fastify. */
  trustProxy: boolean;
}

export function createPollFastPath(
  deps: Deps,
  log: FastifyBaseLogger,
  { logRequests, trustProxy }: PollFastPathOptions,
): PollFastPath {
  let served = 0;

  /** Resolves false, having done nothing, when the request is Fastify's after all. */
  async function answer(
    req: IncomingMessage,
    res: ServerResponse,
    id: string,
    apiKey: string,
    start: number,
  ): Promise<boolean> {
    const account = await deps.accounts.authenticate(apiKey);
    if (!account) return false; // 401, or 429 for repeated bad keys: Fastify's path, with the per-address count
    served++;
    const requestId = requestIdOf(req.headers['x-request-id']);
    if (logRequests) log.info({ reqId: requestId, req: requestView(req, trustProxy) }, 'incoming request');
    const headers: Array<string | number> = ['x-request-id', requestId];
    let status = 200;
    let body: string;
    try {
      const verdict = await countRequest(account, deps);
      headers.push(...verdict.headers);
      if (verdict.error) throw verdict.error;
      body = JSON.stringify(await deps.generations.toApi(await deps.generations.getOwned(account.id, id)));
    } catch (err) {
      // As app.ts's error handler logs it.
      const apiError = toApiError(err);
      if (apiError.status >= 500) log.error({ reqId: requestId, err }, 'request failed');
      else if (logRequests) log.info({ reqId: requestId, code: apiError.code }, 'request rejected');
      status = apiError.status;
      body = JSON.stringify(apiError.toBody());
    }
    headers.push('content-type', 'application/json; charset=utf-8', 'content-length', Buffer.byteLength(body));
    res.writeHead(status, headers as string[]);
    if (!logRequests) res.end(body);
    // Fastify logs this on the response's 'finish' event, with the time since it took the request.
    else res.end(body, () => completed(requestId, res, start));
    return true;
  }

  function completed(reqId: string, res: ServerResponse, start: number) {
    log.info({ reqId, res, responseTime: performance.now() - start }, 'request completed');
  }

  return {
    enabled: true,
    get served() {
      return served;
    },
    handle(req, res, fastify) {
      const match = this.enabled && req.method === 'GET' && !deps.stopping.aborted ? PATH.exec(req.url ?? '') : null;
      const apiKey = match ? lookupableApiKey(req.headers['x-api-key']) : null;
      if (!match || apiKey === null) {
        fastify(req, res);
        return;
      }
      const start = logRequests ? performance.now() : 0;
      // Whether the request is ours is known once the key is authenticated (async: a cache miss reads the
      // database). Until then nothing has been read from or written to the socket, so Fastify can still take it.
      answer(req, res, match[1]!, apiKey, start).then(
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

const trustAll = () => true;

/**
 * The request as Fastify's `req` log serializer reads it (method, url, headers['accept-version'], host, ip,
 * socket.remotePort), so that the logger writes the same `incoming request` line for it. `host` and `ip` follow
 * Fastify's request getters, with and without trustProxy (TRUST_PROXY=true trusts every hop).
 */
function requestView(req: IncomingMessage, trustProxy: boolean) {
  const { headers, socket } = req;
  let host = headers.host ?? '';
  let ip = socket.remoteAddress;
  if (trustProxy) {
    const forwardedHost = headers['x-forwarded-host'];
    if (typeof forwardedHost === 'string' && forwardedHost !== '') {
      host = forwardedHost.slice(forwardedHost.lastIndexOf(',') + 1).trim();
    }
    const addresses = proxyAddr.all(req, trustAll);
    ip = addresses[addresses.length - 1];
  }
  return { method: req.method, url: req.url, headers, host, ip, socket };
}
