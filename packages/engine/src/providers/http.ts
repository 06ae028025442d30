/**
 * What the adapters of hosted engines share: a request with a deadline, HTTP answers mapped to typed EngineErrors
 * (rate limits with their `retry-after`, timeouts, bad keys), polling time (an injectable clock, so tests never
 * sleep), and images as data URLs. Messages name the provider and the status, never a key or a request body.
 */
import { EngineError, type EngineErrorCode } from '../engine.js';

/** Time as the adapters see it: injected in tests (a fake clock whose sleep advances it at once). */
export interface EngineClock {
  now(): number;
  /** Resolves after `ms` (rejects when `signal` aborts). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: EngineClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** `retry-after` in ms: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The typed failure of a non-2xx answer. `code` overrides the status's default (a provider whose body names the
 * error more precisely, e.g. FASHN's `OutOfCredits` on a 429).
 */
export function httpFailure(provider: string, res: Response, detail?: string, code?: EngineErrorCode): EngineError {
  // The detail is the provider's error name (FASHN's `OutOfCredits`): it goes into logs and the shopper's message,
  // so only a name made of letters is kept, never free text that could echo a key or a request back.
  const name = detail && /^[A-Za-z][A-Za-z ]{0,63}$/.test(detail) ? detail : undefined;
  const what = `${provider} answered HTTP ${res.status}${name ? ` (${name})` : ''}`;
  const retryAfter = retryAfterMs(res.headers.get('retry-after'));
  const s = res.status;
  const typed: [EngineErrorCode, boolean] =
    code !== undefined
      ? [code, code === 'ENGINE_RATE_LIMITED' || code === 'ENGINE_UNAVAILABLE' || code === 'ENGINE_TIMEOUT']
      : s === 401 || s === 403
        ? ['ENGINE_AUTH_FAILED', false]
        : s === 429
          ? ['ENGINE_RATE_LIMITED', true]
          : s === 408 || s === 504
            ? ['ENGINE_TIMEOUT', true]
            : s >= 500
              ? ['ENGINE_UNAVAILABLE', true]
              : ['ENGINE_FAILED', false];
  const message =
    typed[0] === 'ENGINE_AUTH_FAILED'
      ? `${what}: the server's API key for ${provider} was refused.`
      : typed[0] === 'ENGINE_RATE_LIMITED'
        ? `${what}: too many requests. Retrying later may succeed.`
        : typed[0] === 'ENGINE_QUOTA_EXCEEDED'
          ? `${what}: the ${provider} account has no credits left.`
          : typed[0] === 'ENGINE_FAILED'
            ? `${what}: the request was refused.`
            : `${what}. Retrying later may succeed.`;
  return new EngineError(typed[0], message, typed[1], { retryAfterMs: retryAfter });
}

export interface RequestOptions {
  fetch: typeof fetch;
  /** The whole call's deadline (epoch ms, by `clock`); a request still running then is aborted. */
  deadline: number;
  clock: EngineClock;
  /** The caller's abort (shutdown, lease lost). */
  signal?: AbortSignal;
}

/**
 * One HTTP request before the deadline. A network failure is ENGINE_UNAVAILABLE, the deadline ENGINE_TIMEOUT (both
 * retryable); the caller's own abort is passed on as a retryable ENGINE_FAILED, as the other engines do.
 */
export async function request(provider: string, url: string, init: RequestInit, o: RequestOptions): Promise<Response> {
  const left = o.deadline - o.clock.now();
  if (left <= 0) throw timeoutError(provider);
  const timeout = AbortSignal.timeout(left);
  const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
  try {
    return await o.fetch(url, { ...init, signal });
  } catch (err) {
    if (o.signal?.aborted) throw new EngineError('ENGINE_FAILED', 'The try-on was aborted.', true);
    if (timeout.aborted) throw timeoutError(provider);
    throw new EngineError('ENGINE_UNAVAILABLE', `${provider} is unreachable: ${(err as Error).message}`, true);
  }
}

export function timeoutError(provider: string): EngineError {
  return new EngineError(
    'ENGINE_TIMEOUT',
    `${provider} did not finish the try-on in time. Retrying may succeed.`,
    true,
  );
}

/** A JSON body, or null when it is not JSON (a proxy's HTML error page). */
export async function jsonOf(res: Response): Promise<unknown> {
  try {
    return await res.json();
  } catch {
    return null;
  }
}

/** The MIME type of encoded image bytes, from their signature. */
export function imageType(bytes: Uint8Array): 'image/png' | 'image/jpeg' | 'image/webp' {
  if (bytes[0] === 0x89 && bytes[1] === 0x50) return 'image/png';
  if (bytes[0] === 0x52 && bytes[1] === 0x49 && bytes[8] === 0x57 && bytes[9] === 0x45) return 'image/webp';
  return 'image/jpeg';
}

export function dataUrl(bytes: Uint8Array): string {
  return `data:${imageType(bytes)};base64,${Buffer.from(bytes).toString('base64')}`;
}

/** The bytes of a `data:…;base64,` URL; null for anything else. */
export function fromDataUrl(url: string): Uint8Array | null {
  const m = /^data:[^;,]*;base64,(.*)$/s.exec(url);
  return m ? new Uint8Array(Buffer.from(m[1]!, 'base64')) : null;
}

/**
 * A provider's output image: a data URL, or a URL on the provider's storage fetched now (before the deadline). The
 * URL came from the provider's answer to an authenticated request, so it is trusted like the provider itself.
 */
export async function fetchOutput(provider: string, url: string, o: RequestOptions): Promise<Uint8Array> {
  const inline = fromDataUrl(url);
  if (inline) return inline;
  if (!/^https?:\/\//.test(url)) throw new EngineError('ENGINE_FAILED', `${provider} answered an unusable output.`);
  const res = await request(provider, url, { method: 'GET' }, o);
  if (!res.ok) {
    await res.body?.cancel();
    throw httpFailure(provider, res, 'fetching the result');
  }
  return readCapped(provider, res, MAX_OUTPUT_BYTES);
}

/**
 * The largest result image read from a provider. Trusted as the provider is, its storage still must not be able to
 * fill a worker's memory (a broken CDN, a redirect to something else): a try-on result is a few MB at most.
 */
export const MAX_OUTPUT_BYTES = 40 * 1024 * 1024;

/** A response's body, refused as ENGINE_FAILED once it passes `max` bytes (declared or streamed). */
export async function readCapped(provider: string, res: Response, max: number): Promise<Uint8Array> {
  const tooLarge = () => new EngineError('ENGINE_FAILED', `${provider} answered a result larger than ${max} bytes.`);
  if (Number(res.headers.get('content-length') ?? 0) > max) {
    await res.body?.cancel();
    throw tooLarge();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  for (let read = await reader?.read(); read && !read.done; read = await reader!.read()) {
    size += read.value.byteLength;
    if (size > max) {
      await reader!.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(read.value);
  }
  return new Uint8Array(Buffer.concat(chunks));
}
