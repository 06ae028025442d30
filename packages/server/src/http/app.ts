/**
 * The HTTP application: request ids, authentication, per-account rate limits, the error envelope, the routes under
 * /tryon/v1, signed file serving, health probes and the OpenAPI document.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import fastifyMultipart from '@fastify/multipart';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { DestinationStream } from 'pino';
import type { Account } from '../db/schema.js';
import type { Deps } from '../deps.js';
import { ApiError } from '../errors.js';
import { type Metrics, UNMATCHED_ROUTE } from '../metrics.js';
import { API_PREFIX } from '../paths.js';
import { countRequest, lookupableApiKey, requestIdOf } from './access.js';
import { dashboardStatic } from './dashboard-static.js';
import { lingerBeforeClosing } from './lingering-close.js';
import { MULTIPART_LIMITS } from './multipart.js';
import { createPollFastPath, type PollFastPath } from './poll-fast-path.js';
import { RequestLines, RequestLogController } from './request-log.js';
import { type AnyRoute, openApiSchemaFor, validateInputs } from './route.js';
import { clientErrorAnswer, type RouteErrorContext, rawAnswer, toApiError } from './to-api-error.js';

const NO_ACCOUNT = Object.freeze({}) as Account;

/**
 * Longest path parameter the router matches (Fastify's default is 100). The longest ids the routes take are 255
 * characters (`externalId`, `customerId`), and the router measures a parameter before decoding the reserved
 * characters (`%2F`, `%3A`, …), which stay three characters each. Longer: 414 URI_TOO_LONG.
 */
export const MAX_PARAM_LENGTH = 3 * 255;

declare module 'fastify' {
  interface FastifyRequest {
    account?: Account;
  }
  interface FastifyInstance {
    pollFastPath: PollFastPath;
  }
}

export interface AppOptions {
  routes: AnyRoute[];
  /** Extra plain routes outside the contract (health probes, signed files), registered as given. */
  plugins?: Array<(app: FastifyInstance, deps: Deps) => void>;
  /** Where the log lines go (pino's default, synchronous stdout, when not given); false: no logger at all. */
  logger?: false | DestinationStream;
  /** Request counts and `GET /metrics` (see metricsRoute); the server passes them only when METRICS_TOKEN is set. */
  metrics?: Metrics;
}

export async function buildApp(deps: Deps, options: AppOptions): Promise<FastifyInstance> {
  // One line per request at info instead of Fastify's two (see request-log.ts).
  const requestLog = new RequestLogController();
  const app = Fastify({
    logger:
      options.logger === false
        ? false
        : {
            level: deps.config.logLevel,
            redact: ['req.headers["x-api-key"]', 'req.headers.authorization'],
            ...(options.logger ? { stream: options.logger } : {}),
          },
    logController: requestLog,
    // Echo a well-formed incoming x-request-id; otherwise make one. Never trust arbitrary header content in logs.
    genReqId: (req) => requestIdOf(req.headers['x-request-id']),
    bodyLimit: 2 * 1024 * 1024,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Fastify's own 503 while closing is outside the envelope: the onRequest hook answers SERVICE_UNAVAILABLE instead.
    return503OnClosing: false,
    // Errors of the router itself (a URL that does not decode, an over-long parameter) and of Node's HTTP parser
    // (header block over 16 KB, a malformed request) are answered in the envelope too.
    frameworkErrors: (err, req, res) => {
      const apiError = toApiError(err);
      req.log.info({ code: apiError.code }, 'request rejected');
      const reply = res as FastifyReply;
      reply.header('x-request-id', req.id).status(apiError.status).type('application/json').send(apiError.toBody());
    },
    clientErrorHandler: (err, socket) => {
      if (socket.destroyed) return;
      app.log.trace({ err }, 'client error');
      // As Node does: answer unless a response on this connection has already started.
      const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
      const answer = clientErrorAnswer(err, requestIdOf(undefined));
      if (answer && socket.writable && !inFlight?.headersSent) socket.write(answer);
      socket.destroy(err);
    },
    trustProxy: deps.config.trustProxy,
    // Node's server as Fastify would make it, with the polling fast path in front (set once the app is built).
    serverFactory: (fastify, factoryOptions) => {
      const opts = factoryOptions as unknown as Record<
        'keepAliveTimeout' | 'requestTimeout' | 'connectionTimeout' | 'maxRequestsPerSocket',
        number
      >;
      const server = createHttpServer((req, res) => {
        if (fastPath) fastPath.handle(req, res, fastify);
        else fastify(req, res);
      });
      server.keepAliveTimeout = opts.keepAliveTimeout;
      server.requestTimeout = opts.requestTimeout;
      server.setTimeout(opts.connectionTimeout);
      if (opts.maxRequestsPerSocket) server.maxRequestsPerSocket = opts.maxRequestsPerSocket;
      // An answer sent before the body is read must reach the client whole (see lingering-close.ts).
      lingerBeforeClosing(server);
      return server;
    },
  });
  let fastPath: PollFastPath | null = null;
  if (options.logger !== false) requestLog.lines = new RequestLines(app.log, deps.config.trustProxy);

  // Zod validates (in the handlers' context) and answers VALIDATION_FAILED; the JSON schemas given to Fastify exist
  // for the OpenAPI document only.
  // Only JSON and multipart bodies exist in this API: a text/plain body is refused rather than read as a string.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(() => (value) => ({ value }));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  await app.register(fastifyMultipart, { limits: { ...MULTIPART_LIMITS, fileSize: deps.config.maxUploadBytes } });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'fitroom — Virtual Try-On API v1 (Genlook-compatible)',
        version: '1.4.0',
        description:
          'Wire-compatible with the Genlook Virtual Try-On API v1. Authenticate every call with the `x-api-key` header. ' +
          'Errors are `{code, message, status, details?}`.',
      },
      servers: [{ url: '/' }],
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
          // The admin API's (http/admin.ts, docs/admin-api.md): never an account key.
          adminToken: { type: 'http', scheme: 'bearer', description: 'The admin token (ADMIN_TOKEN)' },
          adminSession: {
            type: 'apiKey',
            in: 'cookie',
            name: 'fitroom_admin',
            description: 'The dashboard session (POST /dashboard/session); non-GET requests also need x-csrf-token',
          },
        },
      },
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: `${API_PREFIX}/docs`, uiConfig: { deepLinking: true } });

  // One hook for every request (hooks are a measurable share of a polling request's cost): the request id, and for
  // contract routes authentication and the rate limit — before the body is parsed, so an anonymous or throttled
  // client cannot make the server read (and buffer) a 10 MB upload.
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    if (deps.stopping.aborted) throw new ApiError('SERVICE_UNAVAILABLE');
    if ((req.routeOptions.config as { auth?: boolean }).auth) await authorize(req, reply, deps);
  });

  app.setErrorHandler((err: FastifyError | ApiError, req, reply) => {
    const apiError = toApiError(err, req.routeOptions.config as RouteErrorContext, req.headers['content-type']);
    const retryAfterS = (err as { retryAfterS?: number }).retryAfterS;
    if (retryAfterS !== undefined) reply.header('retry-after', retryAfterS);
    if (apiError.status >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ code: apiError.code }, 'request rejected');
    reply.status(apiError.status).type('application/json').send(apiError.toBody());
  });
  app.setNotFoundHandler((req, reply) => {
    const e = new ApiError('NOT_FOUND', `No route for ${req.method} ${req.url.split('?')[0]}.`);
    reply.status(404).send(e.toBody());
  });
  // Node answers an `Expect` other than 100-continue with a bare 417 of its own, outside the envelope: such a request
  // is handled as if the header were absent (RFC 9110 allows either).
  app.server.on('checkExpectation', (req, res) => app.server.emit('request', req, res));
  // Node answers an HTTP/1.1 request without Host with a bare, empty 400. The server never reads Host (the URLs it
  // hands out come from PUBLIC_URL), so such a request is served like any other.
  Object.assign(app.server, { requireHostHeader: false });
  // Not a proxy: a CONNECT gets 404 rather than Node's silent close.
  app.server.on('connect', (req: IncomingMessage, socket: Duplex) => {
    const e = new ApiError('NOT_FOUND', `No route for ${req.method} ${req.url}.`);
    socket.end(rawAnswer(e, requestIdOf(req.headers['x-request-id'])));
  });

  for (const def of options.routes) registerRoute(app, deps, def);
  for (const plugin of options.plugins ?? []) plugin(app, deps);
  // The admin dashboard's files, wherever the API is served (any API replica; not a worker-only process).
  if (options.routes.length > 0) dashboardStatic()(app, deps);

  app.get(`${API_PREFIX}/openapi.json`, { schema: { hide: true } }, async () => app.swagger());
  const metrics = options.metrics;
  if (metrics) {
    app.addHook('onResponse', async (req, reply) => {
      metrics.observeRequest(
        req.method,
        req.routeOptions.url ?? UNMATCHED_ROUTE,
        reply.statusCode,
        reply.elapsedTime / 1000,
      );
    });
    metricsRoute(app, metrics, deps.config.metricsToken?.reveal() ?? null);
  }
  // The fast path writes the same request lines as the Fastify routes.
  const pollRoute = `${API_PREFIX}/generations/:id`;
  fastPath = createPollFastPath(deps, app.log, {
    lines: requestLog.lines,
    ...(metrics ? { onAnswered: (status, seconds) => metrics.observeRequest('GET', pollRoute, status, seconds) } : {}),
  });
  // It answers for the polling route, so only where that route is served (not in a worker-only process).
  fastPath.enabled = options.routes.some((r) => r.method === 'GET' && `${API_PREFIX}${r.url}` === pollRoute);
  app.decorate('pollFastPath', fastPath);
  return app;
}

/**
 * `GET /metrics` for Prometheus, only with METRICS_TOKEN set and only to a scraper that sends it
 * (`Authorization: Bearer <token>`): the figures tell a shop's volume, and /metrics shares the API's port, which a
 * reverse proxy usually publishes whole. Without the token the route does not exist (404 like any unknown path).
 */
function metricsRoute(app: FastifyInstance, metrics: Metrics, token: string | null): void {
  if (!token) return;
  const expected = Buffer.from(`Bearer ${token}`);
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ApiError('INVALID_API_KEY', 'GET /metrics needs the METRICS_TOKEN as a bearer token.');
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}

async function authorize(req: FastifyRequest, reply: FastifyReply, deps: Deps): Promise<void> {
  const account = await authenticate(req, deps);
  req.account = account;
  const verdict = await countRequest(account, deps);
  for (let i = 0; i < verdict.headers.length; i += 2)
    reply.header(verdict.headers[i] as string, verdict.headers[i + 1]);
  if (verdict.error) throw verdict.error;
}

/** Failed authentications allowed per client address and minute before it gets 429 instead of 401 (key guessing). */
export const AUTH_FAILURES_PER_MIN = 30;

async function authenticate(req: FastifyRequest, deps: Deps): Promise<Account> {
  const key = req.headers['x-api-key'];
  if (key === undefined || key === '') throw new ApiError('MISSING_API_KEY');
  const lookupable = lookupableApiKey(key);
  const account = lookupable === null ? null : await deps.accounts.authenticate(lookupable);
  if (account) return account;
  // Keys carry 256 random bits, so guessing is hopeless; the limit keeps a flood of bad keys from costing lookups.
  const now = deps.clock.now().getTime();
  const hit = await deps.rateLimits.hit(`authfail:${req.ip}`, 60_000, now);
  if (hit.count > AUTH_FAILURES_PER_MIN) {
    const retryS = Math.max(0, Math.ceil((hit.resetAt - now) / 1000));
    throw Object.assign(new ApiError('RATE_LIMITED', 'Too many requests with invalid API keys.'), {
      retryAfterS: retryS,
    });
  }
  throw new ApiError('INVALID_API_KEY');
}

function registerRoute(app: FastifyInstance, deps: Deps, def: AnyRoute) {
  app.route({
    method: def.method,
    url: `${API_PREFIX}${def.url}`,
    schema: openApiSchemaFor(def),
    config: {
      auth: def.auth,
      ...(def.fileField ? { fileField: def.fileField } : {}),
      takesFiles: def.consumes?.includes('multipart/form-data') ?? false,
    },
    handler: async (req, reply) => {
      const { params, query } = validateInputs(def, req);
      const result = await def.handler({ req, reply, params, query, account: req.account ?? NO_ACCOUNT, deps });
      if (reply.sent) return reply;
      return result;
    },
  });
}
