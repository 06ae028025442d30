// Verifying fitroom's webhook events (docs/webhooks.md). Web Crypto only, like the rest of the SDK: runs on Node 20+,
// Deno, Bun, edge runtimes and browsers.
import type { Generation } from './types.js';

/** The header a webhook's signature comes in: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const WEBHOOK_SIGNATURE_HEADER = 'fitroom-signature';

/** What fitroom POSTs to a webhook endpoint when a generation reaches a terminal state. */
export interface WebhookEvent {
  /** `evt_…`, the same on every attempt and redelivery of this event: de-duplicate on it (delivery is at-least-once). */
  id: string;
  type: 'generation.completed' | 'generation.failed';
  /** ISO-8601: when the generation became terminal. */
  createdAt: string;
  /** The generation as `GET /generations/:id` answers it when the event is sent (a fresh `resultImageUrl`). */
  data: Generation;
}

export interface VerifyWebhookOptions {
  /** How old (or how far in the future) the signature's timestamp may be, in seconds. Default 300; 0 skips the check. */
  toleranceSeconds?: number;
  /** The current time in unix seconds (default: now). For tests and replays. */
  now?: number;
}

/** A webhook whose signature is missing, malformed, wrong or too old. Answer it with a 400 and do not act on it. */
export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

const encoder = new TextEncoder();

function toHex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Compares without stopping at the first difference, so timing tells an attacker nothing about the signature. */
function timingSafeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Checks that a webhook request came from your fitroom server and returns its event.
 *
 * Pass the request body exactly as received (the raw string or bytes, before any JSON parsing: re-serialised JSON
 * does not match the signature), the `fitroom-signature` header, and the account's webhook signing secret
 * (`whsec_…`, printed once by `fitroom accounts set --webhook-url`). The signature is an HMAC-SHA256 of
 * `` `${t}.${body}` `` with the secret; a timestamp `t` further than `toleranceSeconds` from now is refused (replays).
 *
 * Delivery is at-least-once: the same event (same `id`) may arrive more than once; process each `id` once.
 *
 * @throws {WebhookVerificationError} when the header is missing or malformed, the signature does not match, or the
 *   timestamp is outside the tolerance.
 *
 * @example
 * import { createServer } from 'node:http';
 * import { verifyWebhook, WebhookVerificationError } from '@fitroom/sdk';
 *
 * createServer(async (req, res) => {
 *   const chunks = [];
 *   for await (const chunk of req) chunks.push(chunk);
 *   try {
 *     const event = await verifyWebhook(Buffer.concat(chunks), req.headers['fitroom-signature'], process.env.WHSEC);
 *     if (event.type === 'generation.completed') console.log(event.data.generationId, event.data.resultImageUrl);
 *     res.writeHead(204).end();
 *   } catch (err) {
 *     res.writeHead(err instanceof WebhookVerificationError ? 400 : 500).end();
 *   }
 * }).listen(3000);
 */
export async function verifyWebhook(
  body: string | Uint8Array,
  header: string | string[] | null | undefined,
  secret: string,
  options: VerifyWebhookOptions = {},
): Promise<WebhookEvent> {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) throw new WebhookVerificationError(`missing ${WEBHOOK_SIGNATURE_HEADER} header`);
  if (!secret) throw new WebhookVerificationError('no signing secret given');
  let timestamp: number | null = null;
  const signatures: string[] = [];
  for (const part of value.split(',')) {
    const [key, val] = part.trim().split('=', 2);
    if (key === 't' && val && /^\d+$/.test(val)) timestamp = Number(val);
    else if (key === 'v1' && val) signatures.push(val.toLowerCase());
  }
  if (timestamp === null || signatures.length === 0) {
    throw new WebhookVerificationError(`malformed ${WEBHOOK_SIGNATURE_HEADER} header (expected t=…,v1=…)`);
  }
  // The MAC covers the bytes as received: decoding them first could change them (invalid UTF-8 is replaced).
  const bytes = typeof body === 'string' ? encoder.encode(body) : body;
  const prefix = encoder.encode(`${timestamp}.`);
  const signed = new Uint8Array(prefix.length + bytes.length);
  signed.set(prefix);
  signed.set(bytes, prefix.length);
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ]);
  const expected = toHex(await crypto.subtle.sign('HMAC', key, signed));
  if (!signatures.some((s) => timingSafeEqual(s, expected))) {
    throw new WebhookVerificationError('signature does not match (wrong secret, or the body was changed)');
  }
  const tolerance = options.toleranceSeconds ?? 300;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (tolerance > 0 && Math.abs(now - timestamp) > tolerance) {
    throw new WebhookVerificationError(`timestamp outside the tolerance of ${tolerance} s (a replay, or clock skew)`);
  }
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as WebhookEvent;
  } catch {
    throw new WebhookVerificationError('the body is not JSON');
  }
}
