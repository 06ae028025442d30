/**
 * A try-on model run on Replicate's queue (https://replicate.com/docs/topics/predictions): `POST {base}/predictions`
 * with `{version, input}` creates a prediction (201, `status: starting`); `GET {base}/predictions/{id}` is polled
 * until `succeeded` (its `output`: a URL, or a list of them, fetched then), `failed` (`error`) or `canceled`; a
 * prediction still running at the deadline is cancelled (`POST …/cancel`) so it stops costing.
 *
 * The model's input names are configuration (`personField`, `garmentField`, `descriptionField`, `categoryField`,
 * `extraInput`); the defaults fit IDM-VTON as published on Replicate (`human_img`, `garm_img`, `garment_des`,
 * `category`: upper_body / lower_body / dresses). Images go as data URLs.
 *
 *   401, 403          ENGINE_AUTH_FAILED     final
 *   402               ENGINE_QUOTA_EXCEEDED  final (the account's credit or spend limit)
 *   429               ENGINE_RATE_LIMITED    retryable (retry-after honoured)
 *   5xx, network      ENGINE_UNAVAILABLE     retryable
 *   deadline          ENGINE_TIMEOUT         retryable (the prediction is cancelled)
 *   failed            ENGINE_FAILED          final (the model's error text is dropped: free text may echo input)
 *   canceled          ENGINE_FAILED          retryable
 */
import { EngineError, type TryOnEngine, type TryOnInput, type TryOnOutput } from '../engine.js';
import { pickProductImage } from '../garment/analyze.js';
import { categoryFromWords, type GarmentCategory } from '../garment/classify.js';
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

export const REPLICATE_DEFAULT_BASE_URL = 'https://api.replicate.com/v1';

export interface ReplicateEngineOptions {
  apiToken: string;
  /** The model version id to run. */
  version: string;
  /** Default https://api.replicate.com/v1; a test points it at a fake. */
  baseUrl?: string;
  personField?: string;
  garmentField?: string;
  /** The input that takes the product's title (null: none). Default `garment_des`. */
  descriptionField?: string | null;
  /** The input that takes the category (null: none). Default `category`. */
  categoryField?: string | null;
  /** What the category input is given per category. Default IDM-VTON's. */
  categoryValues?: Record<GarmentCategory, string>;
  /** More inputs, as given (`{"steps": 30}`). */
  extraInput?: Record<string, unknown>;
  timeoutMs?: number;
  pollIntervalMs?: number;
  maxSide?: number | null;
  fetch?: typeof fetch;
  clock?: EngineClock;
}

const PROVIDER = 'Replicate';
const IDM_VTON_CATEGORIES: Record<GarmentCategory, string> = {
  upper: 'upper_body',
  lower: 'lower_body',
  dress: 'dresses',
};

interface Prediction {
  id?: string;
  status?: string;
  output?: unknown;
  error?: unknown;
}

export class ReplicateEngine implements TryOnEngine {
  readonly name = 'replicate';
  private readonly base: string;
  private readonly clock: EngineClock;

  constructor(private readonly options: ReplicateEngineOptions) {
    this.base = (options.baseUrl ?? REPLICATE_DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.clock = options.clock ?? systemClock;
  }

  private headers(): Record<string, string> {
    return { authorization: `Bearer ${this.options.apiToken}`, 'content-type': 'application/json' };
  }

  private input(person: Uint8Array, input: TryOnInput): Record<string, unknown> {
    const o = this.options;
    const out: Record<string, unknown> = { ...o.extraInput };
    out[o.personField ?? 'human_img'] = dataUrl(person);
    out[o.garmentField ?? 'garm_img'] = dataUrl(pickProductImage(input.product.images).data);
    const descriptionField = o.descriptionField === undefined ? 'garment_des' : o.descriptionField;
    if (descriptionField) out[descriptionField] = input.product.title ?? '';
    const categoryField = o.categoryField === undefined ? 'category' : o.categoryField;
    const category = categoryFromWords(input.product);
    if (categoryField && category) out[categoryField] = (o.categoryValues ?? IDM_VTON_CATEGORIES)[category];
    return out;
  }

  async tryOn(input: TryOnInput): Promise<TryOnOutput> {
    const o: RequestOptions = {
      fetch: this.options.fetch ?? fetch,
      deadline: this.clock.now() + (this.options.timeoutMs ?? 180_000),
      clock: this.clock,
      signal: input.signal,
    };
    const person = await fitToMaxSide(input.person, this.options.maxSide ?? 1024);
    const body = JSON.stringify({ version: this.options.version, input: this.input(person, input) });
    const res = await request(
      PROVIDER,
      `${this.base}/predictions`,
      { method: 'POST', headers: this.headers(), body },
      o,
    );
    const created = (await jsonOf(res)) as Prediction | null;
    if (!res.ok) throw this.failure(res);
    if (!created?.id) throw new EngineError('ENGINE_FAILED', `${PROVIDER} created a prediction without an id.`, true);
    const output = await this.poll(created, o);
    return resultAtPersonSize(PROVIDER, await fetchOutput(PROVIDER, output, o), input.person);
  }

  private failure(res: Response): EngineError {
    return httpFailure(PROVIDER, res, undefined, res.status === 402 ? 'ENGINE_QUOTA_EXCEEDED' : undefined);
  }

  private async poll(created: Prediction, o: RequestOptions): Promise<string> {
    const interval = this.options.pollIntervalMs ?? 1000;
    const id = encodeURIComponent(created.id!);
    let p: Prediction = created;
    for (;;) {
      if (p.status === 'succeeded') {
        const first = Array.isArray(p.output) ? p.output[0] : p.output;
        if (typeof first !== 'string') {
          throw new EngineError('ENGINE_FAILED', `${PROVIDER} succeeded without an image output.`, true);
        }
        return first;
      }
      if (p.status === 'failed') {
        throw new EngineError('ENGINE_FAILED', `The try-on model on ${PROVIDER} failed on this photo.`);
      }
      if (p.status === 'canceled') {
        throw new EngineError(
          'ENGINE_FAILED',
          `The prediction on ${PROVIDER} was cancelled. Retrying may succeed.`,
          true,
        );
      }
      if (this.clock.now() + interval >= o.deadline) {
        await this.cancel(id, o);
        throw timeoutError(PROVIDER);
      }
      await this.clock.sleep(interval, o.signal).catch(() => {
        throw new EngineError('ENGINE_FAILED', 'The try-on was aborted.', true);
      });
      const res = await request(
        PROVIDER,
        `${this.base}/predictions/${id}`,
        { method: 'GET', headers: this.headers() },
        o,
      );
      const json = (await jsonOf(res)) as Prediction | null;
      if (!res.ok) throw this.failure(res);
      p = json ?? {};
    }
  }

  /** Best effort: a prediction left running keeps costing. */
  private async cancel(id: string, o: RequestOptions): Promise<void> {
    const signal = AbortSignal.timeout(5000);
    await o
      .fetch(`${this.base}/predictions/${id}/cancel`, { method: 'POST', headers: this.headers(), signal })
      .then((r) => r.body?.cancel())
      .catch(() => undefined);
  }

  async close(): Promise<void> {}
}
