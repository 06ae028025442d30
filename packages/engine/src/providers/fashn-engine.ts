/**
 * FASHN's hosted try-on (https://docs.fashn.ai): `POST {base}/run` with `{model_name, inputs}` answers a prediction
 * id; `GET {base}/status/{id}` is polled until `status` is `completed` (the result in `output`) or `failed` (an
 * `error: {name, message}`). Images go inline as base64 data URLs and the result comes back as one
 * (`return_base64`), so no image URL has to be reachable from FASHN and nothing is left on its storage to fetch.
 *
 * Answers mapped to typed codes (docs/external-engine.md lists them):
 *   401 UnauthorizedAccess                         ENGINE_AUTH_FAILED     final
 *   429 RateLimitExceeded, ConcurrencyLimitExceeded ENGINE_RATE_LIMITED    retryable (retry-after honoured)
 *   429 OutOfCredits                                ENGINE_QUOTA_EXCEEDED  final
 *   5xx, network error                              ENGINE_UNAVAILABLE     retryable
 *   no result before the deadline                   ENGINE_TIMEOUT         retryable
 *   failed: ImageLoadError                          INVALID_IMAGE
 *   failed: NSFWError, ContentModerationError       CONTENT_MODERATED
 *   failed: PoseError                               NO_PERSON_DETECTED
 *   failed: PhotoTypeError                          GARMENT_NOT_DETECTED
 *   failed: anything else (PipelineError, …)        ENGINE_FAILED          retryable
 */
import { EngineError, type EngineErrorCode, type TryOnEngine, type TryOnInput, type TryOnOutput } from '../engine.js';
import { pickProductImage } from '../garment/analyze.js';
import {
  dataUrl,
  type EngineClock,
  fetchOutput,
  httpFailure,
  jsonOf,
  type RequestOptions,
  request,
  systemClock,
  timeoutError,
} from './http.js';
import { fitToMaxSide, resultAtPersonSize } from './result-size.js';

export const FASHN_DEFAULT_BASE_URL = 'https://api.fashn.ai/v1';
export const FASHN_CATEGORIES = ['auto', 'tops', 'bottoms', 'one-pieces'] as const;
export const FASHN_MODES = ['performance', 'balanced', 'quality'] as const;
export type FashnCategory = (typeof FASHN_CATEGORIES)[number];
export type FashnMode = (typeof FASHN_MODES)[number];

export interface FashnEngineOptions {
  /** The API key (sent as a bearer token; never in a message or a log). */
  apiKey: string;
  /** Default https://api.fashn.ai/v1; a test points it at a fake. */
  baseUrl?: string;
  /** Default `tryon-v1.6`. */
  modelName?: string;
  /** Garment category sent to FASHN (`auto`: FASHN detects it). */
  category?: FashnCategory;
  /** Speed against quality, FASHN's `mode`. Default `balanced`. */
  mode?: FashnMode;
  /** The whole try-on's deadline, submit to result. Default 120 s. */
  timeoutMs?: number;
  /** Between two status polls. Default 1500 ms. */
  pollIntervalMs?: number;
  /** The person photo's longer side is scaled down to this before it is sent. Default 2000. */
  maxSide?: number;
  fetch?: typeof fetch;
  clock?: EngineClock;
}

const PROVIDER = 'FASHN';

/** FASHN's runtime error names → our codes, and the shopper's message. */
const RUNTIME_ERRORS: Record<string, [EngineErrorCode, string]> = {
  ImageLoadError: ['INVALID_IMAGE', 'The try-on service could not read the person photo or the product image.'],
  NSFWError: ['CONTENT_MODERATED', "The try-on service's content filter refused the photo or the garment."],
  ContentModerationError: [
    'CONTENT_MODERATED',
    "The try-on service's content filter refused the photo or the garment.",
  ],
  PoseError: [
    'NO_PERSON_DETECTED',
    "The try-on service could not find the person's pose: use a photo showing the upper body, facing the camera.",
  ],
  PhotoTypeError: ['GARMENT_NOT_DETECTED', 'The try-on service could not read the garment in the product image.'],
};

/** API-level error names whose code is not the HTTP status's. */
const API_ERRORS: Record<string, EngineErrorCode> = {
  OutOfCredits: 'ENGINE_QUOTA_EXCEEDED',
  RateLimitExceeded: 'ENGINE_RATE_LIMITED',
  ConcurrencyLimitExceeded: 'ENGINE_RATE_LIMITED',
};

interface StatusBody {
  id?: string;
  status?: string;
  output?: string[] | null;
  error?: { name?: string; message?: string } | null;
}

export class FashnEngine implements TryOnEngine {
  readonly name = 'fashn';
  private readonly base: string;
  private readonly clock: EngineClock;

  constructor(private readonly options: FashnEngineOptions) {
    this.base = (options.baseUrl ?? FASHN_DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.clock = options.clock ?? systemClock;
  }

  async tryOn(input: TryOnInput): Promise<TryOnOutput> {
    const o: RequestOptions = {
      fetch: this.options.fetch ?? fetch,
      deadline: this.clock.now() + (this.options.timeoutMs ?? 120_000),
      clock: this.clock,
      signal: input.signal,
    };
    const garment = pickProductImage(input.product.images);
    const person = await fitToMaxSide(input.person, this.options.maxSide ?? 2000);
    const id = await this.submit(person, garment.data, o);
    const output = await this.poll(id, o);
    return resultAtPersonSize(PROVIDER, await fetchOutput(PROVIDER, output, o), input.person);
  }

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.options.apiKey}`, 'content-type': 'application/json' };
  }

  private async submit(person: Uint8Array, garment: Uint8Array, o: RequestOptions): Promise<string> {
    const body = {
      model_name: this.options.modelName ?? 'tryon-v1.6',
      inputs: {
        model_image: dataUrl(person),
        garment_image: dataUrl(garment),
        category: this.options.category ?? 'auto',
        mode: this.options.mode ?? 'balanced',
        num_samples: 1,
        output_format: 'png',
        return_base64: true,
      },
    };
    const res = await request(
      PROVIDER,
      `${this.base}/run`,
      { method: 'POST', headers: this.headers(), body: JSON.stringify(body) },
      o,
    );
    const json = (await jsonOf(res)) as { id?: string; error?: string | null; message?: string } | null;
    if (!res.ok) throw httpFailure(PROVIDER, res, json?.error ?? undefined, API_ERRORS[json?.error ?? '']);
    if (!json?.id || typeof json.id !== 'string') {
      throw new EngineError('ENGINE_FAILED', `${PROVIDER} accepted the try-on without a prediction id.`, true);
    }
    return json.id;
  }

  /** Polls until the prediction ends; the first output (a data URL, or a URL) on success. */
  private async poll(id: string, o: RequestOptions): Promise<string> {
    const interval = this.options.pollIntervalMs ?? 1500;
    for (;;) {
      const res = await request(
        PROVIDER,
        `${this.base}/status/${encodeURIComponent(id)}`,
        { method: 'GET', headers: this.headers() },
        o,
      );
      const json = (await jsonOf(res)) as (StatusBody & { error?: unknown }) | null;
      if (!res.ok) {
        const name = typeof json?.error === 'string' ? json.error : undefined;
        throw httpFailure(PROVIDER, res, name, API_ERRORS[name ?? '']);
      }
      const status = json?.status;
      if (status === 'completed') {
        const first = json?.output?.[0];
        if (!first) throw new EngineError('ENGINE_FAILED', `${PROVIDER} completed the try-on without an image.`, true);
        return first;
      }
      if (status === 'failed' || status === 'canceled') {
        const err = (json?.error ?? {}) as { name?: string; message?: string };
        const known = RUNTIME_ERRORS[err.name ?? ''];
        if (known) throw new EngineError(known[0], known[1]);
        throw new EngineError(
          'ENGINE_FAILED',
          `${PROVIDER} failed the try-on (${err.name ?? status}). Retrying may succeed.`,
          true,
        );
      }
      // starting, in_queue, processing: wait, unless the deadline comes first.
      if (this.clock.now() + interval >= o.deadline) throw timeoutError(PROVIDER);
      await this.clock.sleep(interval, o.signal).catch(() => {
        throw new EngineError('ENGINE_FAILED', 'The try-on was aborted.', true);
      });
    }
  }

  async close(): Promise<void> {}
}
