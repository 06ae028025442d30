import { isBrowser, readEnv } from './env.js';
import { FitroomError } from './errors.js';
import { Account } from './resources/account.js';
import { Customers } from './resources/customers.js';
import { Generations } from './resources/generations.js';
import { Images } from './resources/images.js';
import { Products } from './resources/products.js';
import { SYNC_TIMEOUT_MS, TryOn } from './resources/try-on.js';
import { Transport } from './transport.js';

export const DEFAULT_BASE_URL = 'http://localhost:8080/tryon/v1';
const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_RETRIES = 2;

export interface FitroomOptions {
  /** `gk_…` key. Defaults to the `FITROOM_API_KEY` or `GENLOOK_API_KEY` environment variable. */
  apiKey?: string;
  /**
   * API root including the `/tryon/v1` prefix, e.g. `https://tryon.example.com/tryon/v1` (a trailing slash is fine).
   * Defaults to `FITROOM_BASE_URL`, then `GENLOOK_BASE_URL`, then `http://localhost:8080/tryon/v1`.
   */
  baseUrl?: string;
  /** Per-attempt timeout in ms (default 60 000; `tryOn.createSync` uses at least 100 000). */
  timeoutMs?: number;
  /** Automatic retries after the first attempt (default 2). See the README for what is retried. */
  maxRetries?: number;
  /** A fetch implementation (default: the global `fetch`), e.g. to add tracing or a proxy. */
  fetch?: typeof fetch;
  /** Allows construction in a browser page. Don't: it exposes your API key to every visitor. */
  dangerouslyAllowBrowser?: boolean;
}

/** `Genlook`'s options are the same. */
export type GenlookOptions = FitroomOptions;

/**
 * Client of a fitroom server, or of any Genlook Virtual Try-On API v1 server. Also exported as `Genlook`, so an
 * `@genlook/api` integration migrates by changing the import and the base URL.
 *
 * Server-side only: it refuses to construct in a browser (the API key would leak) unless `dangerouslyAllowBrowser`.
 *
 * @example
 * import { Fitroom } from '@fitroom/sdk';
 * const client = new Fitroom({ apiKey: process.env.FITROOM_API_KEY, baseUrl: 'http://localhost:8080/tryon/v1' });
 * const { creditBalance } = await client.account.credits();
 */
export class Fitroom {
  readonly images: Images;
  readonly tryOn: TryOn;
  readonly generations: Generations;
  readonly products: Products;
  readonly customers: Customers;
  readonly account: Account;
  /** The resolved base URL (no trailing slash). */
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly maxRetries: number;

  constructor(options: FitroomOptions = {}) {
    if (isBrowser() && options.dangerouslyAllowBrowser !== true) {
      throw new FitroomError({
        code: 'BROWSER_NOT_ALLOWED',
        message:
          'The fitroom SDK runs on servers only: in a browser your API key would be visible to every visitor. ' +
          'Call it from your backend, or pass dangerouslyAllowBrowser: true if you understand the risk.',
      });
    }
    const apiKey = options.apiKey ?? readEnv('FITROOM_API_KEY', 'GENLOOK_API_KEY');
    if (apiKey === undefined || apiKey === '') {
      throw new FitroomError({
        code: 'MISSING_API_KEY',
        message: 'No API key: pass { apiKey } or set FITROOM_API_KEY (or GENLOOK_API_KEY).',
      });
    }
    const baseUrl = (options.baseUrl ?? readEnv('FITROOM_BASE_URL', 'GENLOOK_BASE_URL') ?? DEFAULT_BASE_URL).replace(
      /\/+$/,
      '',
    );
    try {
      new URL(baseUrl);
    } catch {
      throw new FitroomError({ code: 'INVALID_BASE_URL', message: `baseUrl is not an absolute URL: ${baseUrl}` });
    }
    if (typeof (options.fetch ?? globalThis.fetch) !== 'function') {
      throw new FitroomError({ code: 'FETCH_UNAVAILABLE', message: 'No global fetch; pass { fetch }.' });
    }
    this.baseUrl = baseUrl;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
    const transport = new Transport({
      apiKey,
      baseUrl,
      timeoutMs: this.timeoutMs,
      maxRetries: this.maxRetries,
      // Bound to globalThis: some runtimes throw "Illegal invocation" when fetch is called as a method of another object.
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    });
    this.images = new Images(transport);
    this.tryOn = new TryOn(transport, Math.max(this.timeoutMs, SYNC_TIMEOUT_MS));
    this.generations = new Generations(transport);
    this.products = new Products(transport);
    this.customers = new Customers(transport);
    this.account = new Account(transport);
  }
}
