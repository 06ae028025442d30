import { defineRoute } from '../http/route.js';
import { errorResponses, Generation, TryOnAccepted } from '../http/schemas.js';
import { submitTryOn, TRY_ON_DESCRIPTION, tryOnRequest } from './create-try-on.route.js';

export const createTryOnSyncRoute = defineRoute({
  ...tryOnRequest,
  url: '/try-on/sync',
  operationId: 'createTryOnSync',
  summary: 'Create a try-on and wait for it',
  description:
    `${TRY_ON_DESCRIPTION} Holds the request until the generation is COMPLETED or FAILED (200, the generation) or ` +
    'until SYNC_TIMEOUT_S (default 90 s) passes (202, `{generationId, status, productExternalId}`: poll it).',
  responses: {
    200: { description: 'Terminal generation (COMPLETED or FAILED)', schema: Generation },
    202: { description: 'Still running: poll GET /generations/:id', schema: TryOnAccepted },
    ...errorResponses(400, 401, 402, 404, 413, 429),
  },
  async handler(ctx) {
    const { reply, deps } = ctx;
    const accepted = await submitTryOn(ctx);
    // Stop waiting if the client goes away; the generation carries on and can be polled.
    // (The response's 'close' fires when the connection drops before we answer; the request's has fired already,
    // once its body was read.)
    const gone = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableEnded) gone.abort();
    });
    const row = await deps.generations.waitForTerminal(
      accepted.generationId,
      deps.config.syncTimeoutS * 1000,
      gone.signal,
    );
    if (row.status === 'COMPLETED' || row.status === 'FAILED') return deps.generations.toApi(row);
    return reply.status(202).send({
      generationId: row.id,
      status: row.status,
      productExternalId: row.product_external_id,
      // An outfit's products (fitroom's extension), as the 200 answer and /try-on's give them.
      ...(accepted.productExternalIds ? { productExternalIds: accepted.productExternalIds } : {}),
    });
  },
});
