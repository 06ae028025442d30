/**
 * A try-on model served behind the Open Inference Protocol (KServe v2 / NVIDIA Triton / Seldon MLServer REST):
 * `POST {base}/v2/models/{name}/infer`. Images travel as BYTES tensors, each element the base64 of the encoded
 * image (JPEG or PNG) with the input's `parameters.content_type: "base64"` (MLServer's convention; a Triton Python
 * backend decodes the string itself):
 *
 *   inputs   person   BYTES [1]   the person photo (4:5, oriented, sRGB)
 *            garment  BYTES [n]   the product images, in order
 *   parameters        {category: "upper"|"lower"|"dress"|"" (from the product's words), title, checks}
 *   outputs  result   BYTES [1]   the result image, same format rules as the external protocol
 *
 * A model refuses an input with HTTP 400 and `{"error": "CODE: message"}`, CODE one of the engine's typed codes
 * (NO_PERSON_DETECTED, …); any other 4xx is ENGINE_FAILED; 429, 5xx, a network error or the deadline are retryable
 * (docs/external-engine.md).
 */
import { EngineError, type EngineErrorCode, type TryOnEngine, type TryOnInput, type TryOnOutput } from '../engine.js';
import { categoryFromWords } from '../garment/classify.js';
import { type EngineClock, httpFailure, jsonOf, request, systemClock } from './http.js';
import { fitToMaxSide, resultAtPersonSize } from './result-size.js';

export interface OipEngineOptions {
  /** The inference server, e.g. http://gpu-box:8000 (KServe, Triton's HTTP port). */
  baseUrl: string;
  /** The model's name in `/v2/models/{name}`. */
  model: string;
  /** Optional model version (`/v2/models/{name}/versions/{version}/infer`). */
  version?: string;
  /** Sent as `authorization: Bearer …` when set (a gateway in front of the server). */
  token?: string;
  /** Default 120 s. */
  timeoutMs?: number;
  /** The person photo's longer side is scaled down to this before it is sent; null: as it is. */
  maxSide?: number | null;
  fetch?: typeof fetch;
  clock?: EngineClock;
}

const PROVIDER = 'The inference server';

/** The codes a model may refuse with (the external protocol's). */
const TYPED: ReadonlySet<string> = new Set<EngineErrorCode>([
  'INVALID_IMAGE',
  'NO_PERSON_DETECTED',
  'GARMENT_NOT_DETECTED',
  'UNSUPPORTED_GARMENT',
  'UNSUPPORTED_POSE',
  'UNSUPPORTED_OUTFIT',
  'QUALITY_CHECK_FAILED',
  'CONTENT_MODERATED',
]);

interface Tensor {
  name?: string;
  datatype?: string;
  shape?: number[];
  parameters?: Record<string, unknown>;
  data?: unknown[];
}

const bytesTensor = (name: string, images: Uint8Array[]): Tensor => ({
  name,
  shape: [images.length],
  datatype: 'BYTES',
  parameters: { content_type: 'base64' },
  data: images.map((b) => Buffer.from(b).toString('base64')),
});

export class OipEngine implements TryOnEngine {
  readonly name = 'oip';
  private readonly clock: EngineClock;

  constructor(private readonly options: OipEngineOptions) {
    this.clock = options.clock ?? systemClock;
  }

  private url(): string {
    const base = this.options.baseUrl.replace(/\/+$/, '');
    const model = encodeURIComponent(this.options.model);
    const version = this.options.version ? `/versions/${encodeURIComponent(this.options.version)}` : '';
    return `${base}/v2/models/${model}${version}/infer`;
  }

  async tryOn(input: TryOnInput): Promise<TryOnOutput> {
    const person = await fitToMaxSide(input.person, this.options.maxSide ?? null);
    const body = {
      id: Math.random().toString(36).slice(2),
      parameters: {
        category: categoryFromWords(input.product) ?? '',
        title: input.product.title ?? '',
        checks: input.checks ?? 'strict',
      },
      inputs: [
        bytesTensor('person', [person]),
        bytesTensor(
          'garment',
          input.product.images.map((i) => i.data),
        ),
      ],
      outputs: [{ name: 'result' }],
    };
    const o = {
      fetch: this.options.fetch ?? fetch,
      deadline: this.clock.now() + (this.options.timeoutMs ?? 120_000),
      clock: this.clock,
      signal: input.signal,
    };
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
    const res = await request(PROVIDER, this.url(), { method: 'POST', headers, body: JSON.stringify(body) }, o);
    const json = (await jsonOf(res)) as { error?: unknown; outputs?: Tensor[] } | null;
    if (!res.ok) {
      const message = typeof json?.error === 'string' ? json.error : '';
      const typed = /^([A-Z_]+):\s*(.*)$/s.exec(message);
      if (res.status === 400 && typed && TYPED.has(typed[1]!)) {
        throw new EngineError(typed[1] as EngineErrorCode, typed[2] || 'The model refused the input.');
      }
      throw httpFailure(PROVIDER, res);
    }
    const result = json?.outputs?.find((t) => t.name === 'result') ?? json?.outputs?.[0];
    const first = result?.data?.[0];
    if (result?.datatype !== 'BYTES' || typeof first !== 'string') {
      throw new EngineError('ENGINE_FAILED', `${PROVIDER} answered without a 'result' BYTES tensor.`, true);
    }
    return resultAtPersonSize(PROVIDER, new Uint8Array(Buffer.from(first, 'base64')), input.person);
  }

  async close(): Promise<void> {}
}
