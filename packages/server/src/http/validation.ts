/** Zod → the contract's VALIDATION_FAILED envelope, with Zod's own messages (the spec quotes them verbatim). */
import type { ZodType, ZodTypeDef } from 'zod';
import { ApiError } from '../errors.js';

export function parseOrThrow<T>(schema: ZodType<T, ZodTypeDef, unknown>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ApiError(
    'VALIDATION_FAILED',
    undefined,
    result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
  );
}
