/**
 * Downloads an image URL given by a client, safely (SSRF): only http(s); every address the host resolves to is checked
 * against private, loopback, link-local and other special ranges, and the connection goes to the address that was
 * checked (no DNS-rebinding window); redirects are followed by hand (at most 3) and each hop is checked again; a time
 * limit covers the whole download and a size limit stops reading early.
 */
import { lookup as dnsLookup } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

export class FetchError extends Error {
  constructor(
    message: string,
    readonly reason: 'blocked' | 'network' | 'status' | 'too_large' | 'timeout' | 'bad_url',
  ) {
    super(message);
    this.name = 'FetchError';
  }
}

export interface SafeFetchOptions {
  timeoutMs: number;
  maxBytes: number;
  allowPrivate: boolean;
  maxRedirects?: number;
}

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

/** True when the address is not a public unicast address. IPv4-mapped IPv6 is judged as the IPv4 it maps. */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return blocked.check(mapped[1]!, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses as Array<{ address: string; family: number }>;
      const allowed = allowPrivate ? list : list.filter((a) => !isPrivateAddress(a.address));
      if (allowed.length === 0) {
        const e = new FetchError(`${hostname} resolves only to non-public addresses`, 'blocked');
        return callback(e as unknown as NodeJS.ErrnoException, '', 4);
      }
      if ((options as { all?: boolean }).all) return (callback as (e: null, a: typeof allowed) => void)(null, allowed);
      callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}

function parseUrl(rawUrl: string): URL {
  try {
    return new URL(rawUrl);
  } catch {
    throw new FetchError('not a valid URL', 'bad_url');
  }
}

/**
 * Refuses, before any connection, what no hop may be: a scheme other than http(s), credentials in the URL, or an IP
 * literal in a non-public range (unless `allowPrivate`). A host name is checked later, at lookup (guardedLookup).
 */
function checkTarget(url: URL, allowPrivate: boolean): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FetchError('only http(s) URLs', 'bad_url');
  if (url.username || url.password) throw new FetchError('credentials in URLs are not allowed', 'bad_url');
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal) && !allowPrivate && isPrivateAddress(literal)) {
    throw new FetchError(`${literal} is not a public address`, 'blocked');
  }
}

/**
 * A request's 'error' as a FetchError: guardedLookup's own refusal (thrown as is, or wrapped as the cause by node),
 * the deadline's abort as a timeout, anything else as a network failure.
 */
function requestFailure(err: Error, signal: AbortSignal): FetchError {
  if (err instanceof FetchError) return err;
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof FetchError) return cause;
  if (signal.aborted) return new FetchError('timed out', 'timeout');
  return new FetchError(err.message, 'network');
}

export interface FetchedFile {
  data: Buffer;
  contentType: string | null;
  finalUrl: string;
}

export async function safeFetch(rawUrl: string, opts: SafeFetchOptions): Promise<FetchedFile> {
  const deadline = AbortSignal.timeout(opts.timeoutMs);
  let url = parseUrl(rawUrl);
  for (let hop = 0; hop <= (opts.maxRedirects ?? 3); hop++) {
    checkTarget(url, opts.allowPrivate);
    const res = await requestOnce(url, opts, deadline);
    if (res.redirect) {
      url = new URL(res.redirect, url);
      continue;
    }
    return { data: res.data!, contentType: res.contentType, finalUrl: url.toString() };
  }
  throw new FetchError('too many redirects', 'status');
}

function requestOnce(
  url: URL,
  opts: SafeFetchOptions,
  signal: AbortSignal,
): Promise<{ redirect?: string; data?: Buffer; contentType: string | null }> {
  return new Promise((resolve, reject) => {
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.get(
      url,
      {
        lookup: guardedLookup(opts.allowPrivate),
        signal,
        headers: { 'user-agent': 'fitroom/0.1 (+image fetch)', accept: 'image/*' },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          return resolve({ redirect: res.headers.location, contentType: null });
        }
        if (status !== 200) {
          res.resume();
          return reject(new FetchError(`HTTP ${status}`, 'status'));
        }
        const declared = Number(res.headers['content-length'] ?? 0);
        if (declared > opts.maxBytes) {
          res.destroy();
          return reject(new FetchError('file too large', 'too_large'));
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > opts.maxBytes) {
            res.destroy();
            reject(new FetchError('file too large', 'too_large'));
          } else chunks.push(chunk);
        });
        res.on('end', () => resolve({ data: Buffer.concat(chunks), contentType: res.headers['content-type'] ?? null }));
        res.on('error', (err) => reject(new FetchError(err.message, 'network')));
      },
    );
    req.on('error', (err) => reject(requestFailure(err, signal)));
  });
}

/**
 * Downloads a client-given image URL with the server's limits (time, 10 MB, SSRF policy), turning any failure into
 * the contract error the caller names (CUSTOMER_IMAGE_FETCH_FAILED, PRODUCT_IMAGE_FETCH_FAILED).
 */
export async function downloadImage(
  url: string,
  config: { fetchTimeoutMs: number; maxUploadBytes: number; allowPrivateFetch: boolean },
  onFailure: (why: string) => Error,
): Promise<Buffer> {
  try {
    const res = await safeFetch(url, {
      timeoutMs: config.fetchTimeoutMs,
      maxBytes: config.maxUploadBytes,
      allowPrivate: config.allowPrivateFetch,
    });
    return res.data;
  } catch (err) {
    throw onFailure(err instanceof FetchError ? err.message : 'download failed');
  }
}

export interface SafePostOptions {
  timeoutMs: number;
  /** How much of the answer's body is read (then the connection is dropped): the status is what counts. */
  maxResponseBytes: number;
  allowPrivate: boolean;
}

export interface PostResult {
  status: number;
  /** The start of the answer's body, at most `maxResponseBytes`. */
  body: Buffer;
}

/**
 * POSTs a body to a client-given URL (webhook deliveries) under the same rules as image downloads: only http(s), no
 * credentials in the URL, every resolved address checked (private ones refused unless `allowPrivate`), the connection
 * made to the checked address. Redirects are not followed (a 3xx is just the answer's status), the whole exchange
 * has a time limit, and no more than `maxResponseBytes` of the answer is read.
 */
export async function safePost(
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
  opts: SafePostOptions,
): Promise<PostResult> {
  const url = parseUrl(rawUrl);
  checkTarget(url, opts.allowPrivate);
  const signal = AbortSignal.timeout(opts.timeoutMs);
  const payload = Buffer.from(body);
  return new Promise((resolve, reject) => {
    const lib = url.protocol === 'https:' ? https : http;
    const req = lib.request(
      url,
      {
        method: 'POST',
        lookup: guardedLookup(opts.allowPrivate),
        signal,
        headers: { ...headers, 'content-length': String(payload.length) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const finish = () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) });
        res.on('data', (chunk: Buffer) => {
          const room = opts.maxResponseBytes - size;
          if (room > 0) chunks.push(chunk.subarray(0, room));
          size += chunk.length;
          // Enough read: the status is known, and a receiver streaming a large answer must not hold the worker.
          if (size >= opts.maxResponseBytes) {
            res.destroy();
            finish();
          }
        });
        res.on('end', finish);
        res.on('error', () => finish());
      },
    );
    req.on('error', (err) => reject(requestFailure(err, signal)));
    req.end(payload);
  });
}
