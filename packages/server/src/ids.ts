/** Random, prefixed identifiers (spec §8: at least 96 bits, never sequential). */
import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** 20 base-36 characters ≈ 103 bits. Rejection sampling keeps every character uniform. */
function randomToken(length = 20): string {
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 252) out += ALPHABET[b % 36];
      if (out.length === length) break;
    }
  }
  return out;
}

export type IdPrefix = 'acc' | 'key' | 'img' | 'gen' | 'prd' | 'pim' | 'led' | 'job' | 'evt' | 'whd' | 'wha';
export const newId = (prefix: IdPrefix) => `${prefix}_${randomToken()}`;
/** One-shot products get server-made external ids with this prefix; clients may not create such ids themselves. */
export const ONE_SHOT_PREFIX = '_anon_';
export const newOneShotProductId = () => `${ONE_SHOT_PREFIX}${randomToken()}`;

/** API keys: `gk_` + 256 random bits, base64url. Only the SHA-256 is stored. */
export const newApiKey = () => `gk_${randomBytes(32).toString('base64url')}`;
export const sha256Hex = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
