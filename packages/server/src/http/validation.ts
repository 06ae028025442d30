/** Zod → the contract's VALIDATION_FAILED envelope, with Zod's own messages (the spec quotes them verbatim). */
import type { ZodError, ZodType, ZodTypeDef } from 'zod';
import { ApiError } from '../errors.js';

export function zodDetails(error: ZodError, prefix: Array<string | number> = []) {
  return error.issues.map((issue) => ({ path: [...prefix, ...issue.path].join('.'), message: issue.message }));
}

export function parseOrThrow<T>(
  schema: ZodType<T, ZodTypeDef, unknown>,
  input: unknown,
  prefix: Array<string | number> = [],
): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ApiError('VALIDATION_FAILED', undefined, zodDetails(result.error, prefix));
}
