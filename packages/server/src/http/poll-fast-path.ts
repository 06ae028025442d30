/**
 * The polling fast path: `GET /tryon/v1/generations/:id` answered straight from Node's HTTP server, in front of
 * Fastify.
 *
 * Why: clients poll every couple of seconds while a try-on runs, so this one route carries most of the traffic. Its
 * own work is small (a cached key lookup, the rate-limit count, the generation's row, a signed URL), and Fastify's
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
 * The row comes from `getOwned`, which in the embedded deployment keeps the rows polls read
 * (services/polled-generations.ts): every write of this process drops what it changed as it runs, other processes'
 * commits drop every row through the authentication cache's data_version check (within 100 ms), and the ownership
 * check runs on a kept row as on a read one. The answer itself is made on each poll: the signed URL's expiry depends
 * on the time. On PostgreSQL every poll reads the row.
 *
 * In the embedded deployment every step has its value at once (a cached authentication, the in-memory rate-limit
 * count, a kept row or a synchronous SQLite read, a locally signed URL), and the request is answered within the HTTP
 * server's 'request' event, with no promise in between (maybe-async.ts); each step that does wait (a cache miss, the
 * check for other processes' changes, PostgreSQL, Redis, S3) returns a promise and the rest follows it. Awaiting every
 * step cost about 6% of the request's CPU in promises and microtask turns (perf, under polling load).
 *
 * It logs what the Fastify routes log for the request, through the same `RequestLines` (request-log.ts): one
 * `request completed` line once the answer is finished (or `request aborted`), the error handler's `request rejected`
 * / `request failed`, and at debug `incoming request`, each with the request id under `reqId` as Fastify's
 * per-request child logger writes it. `poll-fast-path.test.ts` compares its answers and its log lines with Fastify's
 * for every case.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FastifyBaseLogger } from 'fastify';
import type { Account } from '../db/schema.js';
import type { Deps } from '../deps.js';
import { type MaybePromise, then } from '../maybe-async.js';
import { API_PREFIX } from '../paths.js';
import type { ApiGeneration } from '../services/generations.service.js';
import { countRequest, lookupableApiKey, requestIdOf } from './access.js';
import type { RequestLines } from './request-log.js';
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
  /** The request lines the Fastify routes write too; null with no logger. */
  lines: RequestLines | null;
  /** Called once per answered request, when the response is finished (the request metrics, metrics.ts). */
  onAnswered?: (status: number, seconds: number) => void;
}

export function createPollFastPath(
  deps: Deps,
  log: FastifyBaseLogger,
  { lines, onAnswered }: PollFastPathOptions,
): PollFastPath {
  let served = 0;
  // The request lines when the level logs requests (info and below).
  const logging = lines?.enabled ? lines : null;
  const timed = logging !== null || onAnswered !== undefined;
  const answered = onAnswered && ((status: number, ms: number) => onAnswered(status, ms / 1000));

  /** Answers the request of an authenticated account: at once when every step is (see maybe-async.ts). */
  function answer(req: IncomingMessage, res: ServerResponse, id: string, account: Account, start: number): void {
    served++;
    const requestId = requestIdOf(req.headers['x-request-id']);
    lines?.incoming(requestId, req);
    if (logging) logging.logWhenDone(requestId, req, res, start, answered);
    else if (answered) res.once('finish', () => answered(res.statusCode, performance.now() - start));
    const headers: Array<string | number> = ['x-request-id', requestId];

    const send = (status: number, body: string) => {
      headers.push('content-type', 'application/json; charset=utf-8', 'content-length', Buffer.byteLength(body));
      res.writeHead(status, headers as string[]);
      res.end(body);
    };
    const fail = (err: unknown) => {
      // As app.ts's error handler logs it.
      const apiError = toApiError(err);
      if (apiError.status >= 500) log.error({ reqId: requestId, err }, 'request failed');
      else lines?.rejected(requestId, apiError.code);
      send(apiError.status, JSON.stringify(apiError.toBody()));
    };

    let generation: MaybePromise<ApiGeneration>;
    try {
      generation = then(countRequest(account, deps), (verdict) => {
        for (const item of verdict.headers) headers.push(item);
        if (verdict.error) throw verdict.error;
        return then(deps.generations.getOwned(account.id, id), (row) => deps.generations.toApi(row));
      });
    } catch (err) {
      fail(err);
      return;
    }
    if (!(generation instanceof Promise)) send(200, JSON.stringify(generation));
    else {
      generation.then((value) => send(200, JSON.stringify(value)), fail).catch((err) => unexpected(req, res, err));
    }
  }

  /** Authentication failed (a database failure): Fastify answers the request as it would. */
  const authenticationFailed = (req: IncomingMessage, res: ServerResponse, fastify: Handler, err: unknown) => {
    log.warn({ err }, 'polling fast path: authentication failed, handing the request to Fastify');
    fastify(req, res);
  };

  /** A throw while answering, outside the steps whose errors are answers (none is expected): logged, socket closed. */
  const unexpected = (req: IncomingMessage, res: ServerResponse, err: unknown) => {
    log.error({ err, url: req.url }, 'polling fast path: answering failed');
    res.destroy();
  };

  /** `answer`, with a throw outside its answered errors kept from the HTTP server's 'request' handler. */
  const answerGuarded = (req: IncomingMessage, res: ServerResponse, id: string, account: Account, start: number) => {
    try {
      answer(req, res, id, account, start);
    } catch (err) {
      unexpected(req, res, err);
    }
  };

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
      const start = timed ? performance.now() : 0;
      const id = match[1]!;
      // Whether the request is ours is known once the key is authenticated: a missing/unknown/revoked key is
      // Fastify's (401, or 429 for repeated bad keys, with the per-address count). Until then nothing has been read
      // from or written to the socket, so Fastify can still take it. Authentication is at once on a cache hit; a
      // cache miss or the check for other processes' changes may wait on the database.
      let account: MaybePromise<Account | null>;
      try {
        account = deps.accounts.authenticate(apiKey);
      } catch (err) {
        authenticationFailed(req, res, fastify, err);
        return;
      }
      if (account instanceof Promise) {
        account.then(
          (found) => (found ? answerGuarded(req, res, id, found, start) : fastify(req, res)),
          (err) => authenticationFailed(req, res, fastify, err),
        );
      } else if (account) answerGuarded(req, res, id, account, start);
      else fastify(req, res);
    },
  };
}
