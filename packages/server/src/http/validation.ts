/** Zod → the contract's VALIDATION_FAILED envelope, with Zod's own messages (the spec quotes them verbatim). */
import type { ZodType, ZodTypeDef } from 'zod';
import { ApiError } from '../errors.js';

export function parseOrThrow<T>(schema: ZodType<T, ZodTypeDef, unknown>, input: unknown): T {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new ApiError(
      'VALIDATION_FAILED',
      undefined,
      result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    );
  }
  const nul = pathOfNulCharacter(result.data);
  if (nul !== null) {
    throw new ApiError('VALIDATION_FAILED', undefined, [
      { path: nul, message: 'Must not contain the NUL character (U+0000)' },
    ]);
  }
  return result.data;
}

/**
 * Where a string in the parsed input holds U+0000, or null. PostgreSQL cannot store that character in text at all (it
 * answered such an id or title with an error, a 500); no id, title or customer name needs it, so every deployment
 * refuses it up front, alike. Walked with a stack of its own, not recursion: inputs nest thousands of levels deep.
 */
function pathOfNulCharacter(input: unknown): string | null {
  // Each entry links to its parent instead of copying its path: the path is built only for the string found.
  type Entry = { value: unknown; key: string; parent: Entry | null };
  const pending: Entry[] = [{ value: input, key: '', parent: null }];
  for (let entry = pending.pop(); entry !== undefined; entry = pending.pop()) {
    const { value } = entry;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return pathOf(entry);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) pending.push({ value: inner, key, parent: entry });
    }
  }
  return null;

  function pathOf(entry: Entry): string {
    const keys: string[] = [];
    for (let e: Entry | null = entry; e?.parent; e = e.parent) keys.unshift(e.key);
    return keys.join('.');
  }
}
