/**
 * One route = one file with its schemas beside it. `defineRoute` keeps the schema as the single source for request
 * validation (Zod, in the handler's context) and for the OpenAPI document (converted to JSON Schema for
 * @fastify/swagger). Fastify's own validator and serializer are switched off in app.ts: Zod owns validation.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodType, ZodTypeDef } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';
import type { Account } from '../db/schema.js';
import type { Deps } from '../deps.js';
import { parseOrThrow } from './validation.js';

type Schema<T> = ZodType<T, ZodTypeDef, unknown>;

export interface RouteContext<P, Q> {
  req: FastifyRequest;
  reply: FastifyReply;
  params: P;
  query: Q;
  /** The authenticated account (routes with `auth: false` get a placeholder they must not use). */
  account: Account;
  deps: Deps;
}

export interface RouteDef<P = unknown, Q = unknown> {
  method: 'GET' | 'POST' | 'DELETE' | 'PATCH' | 'PUT';
  /** Relative to the /tryon/v1 prefix. */
  url: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  auth: boolean;
  params?: Schema<P>;
  query?: Schema<Q>;
  /** Documented request headers (beyond x-api-key). */
  headers?: ZodType;
  /** Documented request body; JSON bodies are parsed by the handler (they may arrive as multipart). */
  body?: ZodType;
  consumes?: string[];
  /** The multipart file field the route exists to receive: a body that cannot carry it answers FILE_REQUIRED. */
  fileField?: string;
  responses: Record<number, { description: string; schema?: ZodType; contentType?: string }>;
  hideFromDocs?: boolean;
  handler(ctx: RouteContext<P, Q>): Promise<unknown>;
}

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of routes; each one is typed where it is defined.
export type AnyRoute = RouteDef<any, any>;

export const defineRoute = <P = Record<string, never>, Q = Record<string, never>>(def: RouteDef<P, Q>) => def;

export const jsonSchema = (schema: ZodType) => {
  const { $schema: _drop, ...rest } = zodToJsonSchema(schema, { target: 'openApi3', $refStrategy: 'none' }) as Record<
    string,
    unknown
  >;
  return rest;
};

export function openApiSchemaFor(def: AnyRoute): Record<string, unknown> {
  const response: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(def.responses)) {
    response[status] = r.schema
      ? {
          description: r.description,
          content: { [r.contentType ?? 'application/json']: { schema: jsonSchema(r.schema) } },
        }
      : { description: r.description, type: 'null' };
  }
  return {
    operationId: def.operationId,
    summary: def.summary,
    ...(def.description ? { description: def.description } : {}),
    tags: def.tags,
    ...(def.auth ? { security: [{ apiKey: [] }] } : {}),
    ...(def.params ? { params: jsonSchema(def.params) } : {}),
    ...(def.query ? { querystring: jsonSchema(def.query) } : {}),
    ...(def.headers ? { headers: jsonSchema(def.headers) } : {}),
    ...(def.body ? { body: jsonSchema(def.body) } : {}),
    ...(def.consumes ? { consumes: def.consumes } : {}),
    ...(def.hideFromDocs ? { hide: true } : {}),
    response,
  };
}

export function validateInputs<P, Q>(def: RouteDef<P, Q>, req: FastifyRequest): { params: P; query: Q } {
  const params = def.params ? parseOrThrow(def.params, req.params) : (req.params as P);
  const query = def.query ? parseOrThrow(def.query, req.query) : (req.query as Q);
  return { params, query };
}
