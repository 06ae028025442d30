/**
 * Keeping try-ons going when an engine is not: retries with backoff, a circuit breaker per engine, and a chain that
 * hands a try-on to the next engine when one is down, rate-limited or cannot dress the product.
 *
 * - `ResilientEngine` wraps one engine: a try-on refused with ENGINE_RATE_LIMITED or ENGINE_UNAVAILABLE is tried
 *   again after a backoff (doubling from `backoffMs`; a longer `retry-after` wins; a wait past `maxBackoffMs` is not
 *   made: the failure goes on to the chain and the job queue). Its breaker counts consecutive "engine down"
 *   failures (ENGINE_DOWN_CODES); at `failures` it opens and every try-on fails fast with ENGINE_UNAVAILABLE for
 *   `openMs`; then one try-on is let through (half-open) and its outcome closes or re-opens it.
 * - `EngineChain` tries its engines in order, skipping those whose capabilities do not fit (the product's category
 *   by its words, a non-commercial licence on a deployment that does not allow it) and passing to the next on an
 *   "engine down" failure; any other failure (a bad photo, a typed refusal) is the answer.
 */
import { ENGINE_DOWN_CODES, EngineError, type TryOnEngine, type TryOnInput, type TryOnOutput } from '../engine.js';
import { categoryFromWords, type GarmentCategory } from '../garment/classify.js';
import { type EngineClock, systemClock } from './http.js';

export type Licence = 'commercial' | 'non-commercial';

/** What an engine can do; the chain chooses by it. */
export interface EngineCapabilities {
  /** Categories it dresses; a product whose words name another goes to the next engine. */
  categories: readonly GarmentCategory[];
  /** Largest side of the person photo it takes (the adapter scales down to it); null: no limit. */
  maxSide: number | null;
  /** The licence of the model behind it (CatVTON and IDM-VTON's weights: non-commercial). */
  licence: Licence;
}

export const ALL_CATEGORIES: readonly GarmentCategory[] = ['upper', 'lower', 'dress'];

export interface BreakerOptions {
  /** Consecutive "engine down" failures that open the circuit. Default 5. */
  failures?: number;
  /** How long it stays open before one try-on is let through. Default 60 s. */
  openMs?: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  private state: BreakerState = 'closed';
  private consecutive = 0;
  private openedAt = 0;
  private trialRunning = false;
  private readonly threshold: number;
  private readonly openMs: number;

  constructor(
    options: BreakerOptions,
    private readonly clock: Pick<EngineClock, 'now'>,
  ) {
    this.threshold = options.failures ?? 5;
    this.openMs = options.openMs ?? 60_000;
  }

  /** The state now (an open circuit whose time is up reads half-open). */
  current(): BreakerState {
    if (this.state === 'open' && this.clock.now() >= this.openedAt + this.openMs) return 'half-open';
    return this.state;
  }

  /** Whether a try-on may go to the engine now; in half-open, only one at a time. */
  tryAcquire(): boolean {
    const state = this.current();
    if (state === 'closed') return true;
    if (state === 'open' || this.trialRunning) return false;
    this.state = 'half-open';
    this.trialRunning = true;
    return true;
  }

  /** Until the circuit lets a try-on through again (0 when it does). */
  remainingMs(): number {
    return this.state === 'open' ? Math.max(0, this.openedAt + this.openMs - this.clock.now()) : 0;
  }

  success(): void {
    this.state = 'closed';
    this.consecutive = 0;
    this.trialRunning = false;
  }

  failure(): void {
    this.consecutive++;
    if (this.state === 'half-open' || this.consecutive >= this.threshold) {
      this.state = 'open';
      this.openedAt = this.clock.now();
    }
    this.trialRunning = false;
  }
}

export interface ResilienceOptions extends BreakerOptions {
  /** Attempts after the first, within one try-on, on a rate limit or an unavailable engine. Default 2. */
  retries?: number;
  /** First backoff; doubled on each retry. Default 1000 ms. */
  backoffMs?: number;
  /** Longest wait between attempts; a `retry-after` beyond it is not waited for. Default 30 s. */
  maxBackoffMs?: number;
  clock?: EngineClock;
}

/** Rate limits and outages are worth a second try within the same try-on; a timeout already took its time. */
const RETRIED = new Set(['ENGINE_RATE_LIMITED', 'ENGINE_UNAVAILABLE']);

function aborted(): EngineError {
  return new EngineError('ENGINE_FAILED', 'The try-on was aborted.', true);
}

export class ResilientEngine implements TryOnEngine {
  readonly name: string;
  readonly breaker: CircuitBreaker;
  private readonly clock: EngineClock;

  constructor(
    private readonly inner: TryOnEngine,
    private readonly options: ResilienceOptions = {},
  ) {
    this.name = inner.name;
    this.clock = options.clock ?? systemClock;
    this.breaker = new CircuitBreaker(options, this.clock);
  }

  async tryOn(input: TryOnInput): Promise<TryOnOutput> {
    const retries = this.options.retries ?? 2;
    const base = this.options.backoffMs ?? 1000;
    const cap = this.options.maxBackoffMs ?? 30_000;
    for (let attempt = 0; ; attempt++) {
      if (!this.breaker.tryAcquire()) {
        const wait = Math.ceil(this.breaker.remainingMs() / 1000);
        throw new EngineError(
          'ENGINE_UNAVAILABLE',
          `The ${this.name} engine is failing; it is not called for ${wait} s. Retrying later may succeed.`,
          true,
          { retryAfterMs: this.breaker.remainingMs() },
        );
      }
      let err: unknown;
      try {
        const out = await this.inner.tryOn(input);
        this.breaker.success();
        return out;
      } catch (e) {
        err = e;
      }
      if (!(err instanceof EngineError) || !ENGINE_DOWN_CODES.has(err.code)) {
        // The engine answered (a typed refusal, a bad photo): it is up.
        if (err instanceof EngineError) this.breaker.success();
        else this.breaker.failure();
        throw err;
      }
      this.breaker.failure();
      if (attempt >= retries || !err.retryable || !RETRIED.has(err.code)) throw err;
      const delay = Math.max(base * 2 ** attempt, err.retryAfterMs ?? 0);
      if (delay > cap) throw err;
      if (input.signal?.aborted) throw aborted();
      await this.clock.sleep(delay, input.signal).catch(() => {
        throw aborted();
      });
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

export interface ChainLink {
  engine: TryOnEngine;
  capabilities: EngineCapabilities;
}

export interface ChainOptions {
  /** Whether engines under a non-commercial licence may be chosen (a research or evaluation deployment). */
  allowNonCommercial: boolean;
  /** Told when a try-on goes past an engine (for the log). */
  onSkip?: (event: { engine: string; reason: string; next: string | null }) => void;
}

/** Why `link` cannot take this try-on, or null when it can. */
function unfit(link: ChainLink, input: TryOnInput, options: ChainOptions): string | null {
  if (link.capabilities.licence === 'non-commercial' && !options.allowNonCommercial) {
    return 'its model is licensed for non-commercial use only';
  }
  const category = categoryFromWords(input.product);
  if (category && !link.capabilities.categories.includes(category)) return `it does not dress '${category}' garments`;
  return null;
}

/**
 * An engine made of engines tried in order (the first is the one chosen; the rest are fallbacks). Its name is the
 * first's: the generation keeps the engine it was accepted with; which engine drew it is in `diagnostics.engine`.
 */
export class EngineChain implements TryOnEngine {
  readonly name: string;

  constructor(
    private readonly links: readonly ChainLink[],
    private readonly options: ChainOptions,
  ) {
    if (links.length === 0) throw new Error('an engine chain needs an engine');
    this.name = links[0]!.engine.name;
  }

  async tryOn(input: TryOnInput): Promise<TryOnOutput> {
    let first: EngineError | null = null;
    for (const [i, link] of this.links.entries()) {
      const next = this.links[i + 1]?.engine.name ?? null;
      const why = unfit(link, input, this.options);
      if (why) {
        this.options.onSkip?.({ engine: link.engine.name, reason: why, next });
        first ??= new EngineError('UNSUPPORTED_GARMENT', `No engine on this server can take this try-on: ${why}.`);
        continue;
      }
      try {
        const out = await link.engine.tryOn(input);
        return i === 0
          ? out
          : { ...out, diagnostics: { ...out.diagnostics, engine: link.engine.name, fellBackFrom: this.name } };
      } catch (err) {
        if (!(err instanceof EngineError) || !ENGINE_DOWN_CODES.has(err.code) || input.signal?.aborted) throw err;
        this.options.onSkip?.({ engine: link.engine.name, reason: `${err.code}: ${err.message}`, next });
        // The chosen engine's failure is the one reported when no fallback could help.
        if (!first || first.code === 'UNSUPPORTED_GARMENT') first = err;
      }
    }
    throw first!;
  }

  async close(): Promise<void> {
    await Promise.all(this.links.map((l) => l.engine.close()));
  }
}
