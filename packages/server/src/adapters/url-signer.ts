/**
 * HMAC-signed, expiring URLs for blobs served by this server (embedded deployment). The signature covers the key and
 * the expiry, so neither can be changed; comparing in constant time keeps the signature from leaking byte by byte.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Expiries are rounded up to this granularity, so that repeated polls get the same URL (cacheable by browsers). */
const EXPIRY_STEP_S = 60;

export class UrlSigner {
  private readonly recent = new Map<string, string>();

  constructor(
    private readonly secret: string,
    private readonly baseUrl: string,
  ) {}

  private mac(key: string, exp: number): string {
    return createHmac('sha256', this.secret).update(`${key}\n${exp}`).digest('base64url');
  }

  sign(key: string, expiresAtMs: number): string {
    const exp = Math.ceil(expiresAtMs / 1000 / EXPIRY_STEP_S) * EXPIRY_STEP_S;
    const memo = `${key}\n${exp}`;
    const known = this.recent.get(memo);
    if (known) return known;
    const path = key.split('/').map(encodeURIComponent).join('/');
    const url = `${this.baseUrl}/${path}?exp=${exp}&sig=${this.mac(key, exp)}`;
    if (this.recent.size >= 5000) this.recent.clear();
    this.recent.set(memo, url);
    return url;
  }

  /** 'ok', or why the URL must be refused. */
  verify(key: string, exp: string | undefined, sig: string | undefined, nowMs: number): 'ok' | 'expired' | 'invalid' {
    if (!exp || !sig || !/^\d{1,12}$/.test(exp)) return 'invalid';
    const expected = Buffer.from(this.mac(key, Number(exp)));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
    return Number(exp) * 1000 < nowMs ? 'expired' : 'ok';
  }
}
