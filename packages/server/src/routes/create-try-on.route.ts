import { IdempotencyHeaders, idempotencyKey } from '../http/idempotency.js';
import { readJsonOrMultipart } from '../http/multipart.js';
import { defineRoute, type RouteContext, type RouteDef } from '../http/route.js';
import { errorResponses, TryOnAccepted } from '../http/schemas.js';
import { WireTryOn } from '../services/try-on-input.js';

export const TRY_ON_DESCRIPTION =
  'Costs 1 credit (refunded if the generation fails). Product modes: reference (`externalId` only; 404 ' +
  'PRODUCT_NOT_FOUND when unknown or expired), inline upsert (`externalId` + fields; 15 days from last use) and ' +
  'one-shot (no `externalId`; 7 days). `person.image.source` takes exactly one of `id` (from /images/upload), `url` ' +
  'or `fileKey` (a multipart part; the JSON then goes in a `data` field). Deprecated shapes (`product`, `customer`, ' +
  '`customerId`, `useWatermark`, `retentionDays`, flat images) are accepted.';

/** What /try-on and /try-on/sync share: the request (JSON or multipart, idempotency key) and its acceptance. */
export const tryOnRequest: Pick<RouteDef, 'method' | 'tags' | 'auth' | 'consumes' | 'headers' | 'body'> = {
  method: 'POST',
  tags: ['Try-on'],
  auth: true,
  consumes: ['application/json', 'multipart/form-data'],
  headers: IdempotencyHeaders,
  body: WireTryOn,
};

export async function submitTryOn({
  req,
  account,
  deps,
}: Pick<RouteContext<unknown, unknown>, 'req' | 'account' | 'deps'>) {
  const { body, files } = await readJsonOrMultipart(req, deps.config.maxUploadBytes);
  return deps.generations.submit(account, body, files, idempotencyKey(req));
}

export const createTryOnRoute = defineRoute({
  ...tryOnRequest,
  url: '/try-on',
  operationId: 'createTryOn',
  summary: 'Create a try-on (asynchronous)',
  description: `${TRY_ON_DESCRIPTION} Poll GET /generations/:id every 2 s.`,
  responses: {
    200: { description: 'Accepted', schema: TryOnAccepted },
    ...errorResponses(400, 401, 402, 404, 413, 429),
  },
  handler: submitTryOn,
});
