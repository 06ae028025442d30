/**
 * The external engine: sends the person and product images to an inference service the operator runs (a GPU box
 * with a diffusion try-on model, say) and returns what it answers. Protocol version 1 (docs/external-engine.md):
 *
 *   POST {baseUrl}/v1/try-on          multipart/form-data
 *     person        the person photo (JPEG/PNG, already cropped to 4:5 by fitroom)
 *     garment       one part per product image, in order
 *     meta          JSON {protocol:1, title, description, roles:[…], checks:'strict'|'lenient'}
 *   200  image/jpeg | image/png        the result, same size as the person photo
 *   422  {code, message}               a typed, final failure (code ∈ EngineErrorCode); the generation fails
 *   other / network error / timeout    retryable: fitroom retries the job with backoff
 */
import { EngineError, type EngineErrorCode, type TryOnEngine, type TryOnInput, type TryOnOutput } from '../engine.js';

export const EXTERNAL_PROTOCOL_VERSION = 1;

const TYPED_CODES = new Set<EngineErrorCode>([
  'INVALID_IMAGE',
  'NO_PERSON_DETECTED',
  'GARMENT_NOT_DETECTED',
  'UNSUPPORTED_GARMENT',
  'UNSUPPORTED_POSE',
  'UNSUPPORTED_OUTFIT',
  'QUALITY_CHECK_FAILED',
  'ENGINE_FAILED',
]);

export interface ExternalEngineOptions {
  baseUrl: string;
  timeoutMs?: number;
  /** Sent as `authorization: Bearer …` when set. */
  token?: string;
  fetch?: typeof fetch;
}

function imageSize(bytes: Uint8Array): { width: number; height: number } {
  // PNG: IHDR at a fixed offset; JPEG: walk the markers to the first SOFn.
  if (bytes[0] === 0x89 && bytes[1] === 0x50) {
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return { width: v.getUint32(16), height: v.getUint32(20) };
  }
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) break;
    const marker = bytes[i + 1]!;
    const len = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: (bytes[i + 5]! << 8) | bytes[i + 6]!, width: (bytes[i + 7]! << 8) | bytes[i + 8]! };
    }
    i += 2 + len;
  }
  return { width: 0, height: 0 };
}

export class ExternalEngine implements TryOnEngine {
  readonly name = 'external';
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ExternalEngineOptions) {
    this.fetchImpl = options.fetch ?? fetch;
  }

  async tryOn(input: TryOnInput): Promise<TryOnOutput> {
    const form = new FormData();
    form.append('person', new Blob([new Uint8Array(input.person)], { type: 'image/jpeg' }), 'person.jpg');
    input.product.images.forEach((img, i) => {
      form.append('garment', new Blob([new Uint8Array(img.data)]), `garment-${i}`);
    });
    form.append(
      'meta',
      JSON.stringify({
        protocol: EXTERNAL_PROTOCOL_VERSION,
        title: input.product.title,
        description: input.product.description,
        roles: input.product.images.map((i) => i.role),
        // The account's checks mode: a service that judges its input or its result may refuse in `strict` mode
        // (422 UNSUPPORTED_POSE, UNSUPPORTED_OUTFIT, QUALITY_CHECK_FAILED) and draw anyway in `lenient` mode.
        checks: input.checks ?? 'strict',
      }),
    );
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 120_000);
    const signal = input.signal ? AbortSignal.any([input.signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.options.baseUrl.replace(/\/+$/, '')}/v1/try-on`, {
        method: 'POST',
        body: form,
        signal,
        headers: {
          'x-fitroom-engine-protocol': String(EXTERNAL_PROTOCOL_VERSION),
          ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
        },
      });
    } catch (err) {
      // Its own deadline is a timeout, not an outage: the resilience layer retries outages at once within the
      // try-on, and three more waits of ENGINE_TIMEOUT_S each would hold the job for many minutes.
      if (timeout.aborted && !input.signal?.aborted) {
        throw new EngineError(
          'ENGINE_TIMEOUT',
          'The external engine did not answer in time. Retrying may succeed.',
          true,
        );
      }
      throw new EngineError('ENGINE_UNAVAILABLE', `External engine unreachable: ${(err as Error).message}`, true);
    }
    if (res.status === 422) {
      const body = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
      const code = TYPED_CODES.has(body.code as EngineErrorCode) ? (body.code as EngineErrorCode) : 'ENGINE_FAILED';
      throw new EngineError(code, body.message ?? 'The external engine rejected the input.');
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new EngineError('ENGINE_UNAVAILABLE', `External engine answered HTTP ${res.status}`, true);
    }
    const type = res.headers.get('content-type') ?? '';
    const image = new Uint8Array(await res.arrayBuffer());
    const contentType = type.includes('png') ? 'image/png' : 'image/jpeg';
    return { image, contentType, ...imageSize(image) };
  }

  async close(): Promise<void> {}
}
