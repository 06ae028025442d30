import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiError } from '../errors.js';

/** The optional `idempotency-key` header of the try-on routes: 1–255 visible ASCII characters. */
export function idempotencyKey(req: FastifyRequest): string | undefined {
  const value = req.headers['idempotency-key'];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(value)) {
    throw new ApiError('VALIDATION_FAILED', 'The idempotency-key header must be 1–255 visible ASCII characters.', [
      { path: 'idempotency-key', message: 'Invalid idempotency key' },
    ]);
  }
  return value;
}

export const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .optional()
    .describe(
      'Optional. A repeat of the same request with the same key returns the first generation (no second charge) for 24 h.',
    ),
});
