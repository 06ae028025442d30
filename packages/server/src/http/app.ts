/**
 * The HTTP application: request ids, authentication, per-account rate limits, the error envelope, the routes under
 * /tryon/v1, signed file serving, health probes and the OpenAPI document.
 */
import { randomUUID } from 'node:crypto';
import fastifyMultipart from '@fastify/multipart';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Account } from '../db/schema.js';
import type { Deps } from '../deps.js';
import { ApiError } from '../errors.js';
import { MULTIPART_LIMITS } from './multipart.js';
import { type AnyRoute, openApiSchemaFor, validateInputs } from './route.js';

export const API_PREFIX = '/tryon/v1';
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const NO_ACCOUNT = Object.freeze({}) as Account;

declare module 'fastify' {
  interface FastifyRequest {
    account?: Account;
  }
}

export interface AppOptions {
  routes: AnyRoute[];
  /** Extra plain routes outside the contract (health probes, signed files), registered as given. */
  plugins?: Array<(app: FastifyInstance, deps: Deps) => void>;
  logger?: boolean;
}

export async function buildApp(deps: Deps, options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      options.logger === false
        ? false
        : {
            level: deps.config.logLevel,
            redact: ['req.headers["x-api-key"]', 'req.headers.authorization'],
          },
    // Echo a well-formed incoming x-request-id; otherwise make one. Never trust arbitrary header content in logs.
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : `req_${randomUUID()}`;
    },
    bodyLimit: 2 * 1024 * 1024,
    trustProxy: deps.config.trustProxy,
  });

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
      components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } } },
    },
  });
  await app.register(fastifySwaggerUi, { routePrefix: `${API_PREFIX}/docs`, uiConfig: { deepLinking: true } });

  // One hook for every request (hooks are a measurable share of a polling request's cost): the request id, and for
  // contract routes authentication and the rate limit — before the body is parsed, so an anonymous or throttled
  // client cannot make the server read (and buffer) a 10 MB upload.
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    if ((req.routeOptions.config as { auth?: boolean }).auth) await authorize(req, reply, deps);
  });

  app.setErrorHandler((err: FastifyError | ApiError, req, reply) => {
    const apiError = toApiError(err);
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

  for (const def of options.routes) registerRoute(app, deps, def);
  for (const plugin of options.plugins ?? []) plugin(app, deps);

  app.get(`${API_PREFIX}/openapi.json`, { schema: { hide: true } }, async () => app.swagger());
  return app;
}

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as FastifyError & { statusCode?: number };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
      return new ApiError('FILE_TOO_LARGE', 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(
        'VALIDATION_FAILED',
        'Unsupported Content-Type: send application/json or multipart/form-data.',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError('VALIDATION_FAILED', 'The JSON body is empty.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError('VALIDATION_FAILED', 'Invalid Content-Length.');
  }
  // JSON syntax errors from Fastify's parser carry statusCode 400 and no code.
  if (e.statusCode === 400 && e instanceof SyntaxError)
    return new ApiError('VALIDATION_FAILED', 'The body is not valid JSON.');
  if (e.statusCode === 400 && e.code?.startsWith('FST_'))
    return new ApiError('VALIDATION_FAILED', 'Malformed request.');
  return new ApiError('INTERNAL_ERROR');
}

async function authorize(req: FastifyRequest, reply: FastifyReply, deps: Deps): Promise<void> {
  const account = await authenticate(req, deps);
  req.account = account;
  const limit = account.rate_limit_per_min ?? deps.config.rateLimitPerMin;
  const now = deps.clock.now().getTime();
  const hit = await deps.rateLimits.hit(`acct:${account.id}`, 60_000, now);
  const resetS = Math.max(0, Math.ceil((hit.resetAt - now) / 1000));
  reply.header('x-ratelimit-limit', limit);
  reply.header('x-ratelimit-remaining', Math.max(0, limit - hit.count));
  reply.header('x-ratelimit-reset', resetS);
  if (hit.count > limit) {
    reply.header('retry-after', resetS);
    throw new ApiError('RATE_LIMITED', `Rate limit of ${limit} requests per minute exceeded.`);
  }
}

/** Failed authentications allowed per client address and minute before it gets 429 instead of 401 (key guessing). */
export const AUTH_FAILURES_PER_MIN = 30;

async function authenticate(req: FastifyRequest, deps: Deps): Promise<Account> {
  const key = req.headers['x-api-key'];
  if (key === undefined || key === '') throw new ApiError('MISSING_API_KEY');
  const account = typeof key === 'string' && key.length <= 256 ? await deps.accounts.authenticate(key) : null;
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
    config: { auth: def.auth },
    handler: async (req, reply) => {
      const { params, query } = validateInputs(def, req);
      const result = await def.handler({ req, reply, params, query, account: req.account ?? NO_ACCOUNT, deps });
      if (reply.sent) return reply;
      return result;
    },
  });
}
