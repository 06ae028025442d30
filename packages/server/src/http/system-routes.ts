/** Routes outside the contract: health probes (no auth) and the signed blob URLs of the embedded deployment. */
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Deps } from '../deps.js';
import { ApiError } from '../errors.js';
import { FILES_PATH } from '../paths.js';

export function systemRoutes(app: FastifyInstance, deps: Deps) {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const checks: Record<string, 'ok' | 'fail'> = {};
    try {
      await sql`select 1`.execute(deps.db);
      checks.database = 'ok';
    } catch {
      checks.database = 'fail';
    }
    try {
      await deps.blobs.ping();
      checks.blobStore = 'ok';
    } catch {
      checks.blobStore = 'fail';
    }
    const ready = Object.values(checks).every((v) => v === 'ok');
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks });
  });

  const signer = deps.urlSigner;
  if (!signer) return;
  // Signed, expiring blob URLs. A bad or expired signature is 403; a blob deleted by retention or a GDPR erase is 404.
  app.get(`${FILES_PATH}/*`, { schema: { hide: true } }, async (req, reply) => {
    const key = (req.params as { '*': string })['*'];
    const { exp, sig } = req.query as { exp?: string; sig?: string };
    const verdict = signer.verify(key, exp, sig, deps.clock.now().getTime());
    if (verdict !== 'ok') {
      throw new ApiError('FORBIDDEN', verdict === 'expired' ? 'This link has expired.' : 'Invalid signature.');
    }
    const blob = await deps.blobs.get(key).catch(() => null);
    if (!blob) throw new ApiError('NOT_FOUND', 'This file no longer exists.');
    return reply
      .header('content-type', blob.contentType)
      .header('cache-control', 'private, max-age=300')
      .header('x-content-type-options', 'nosniff')
      .send(blob.data);
  });
}
