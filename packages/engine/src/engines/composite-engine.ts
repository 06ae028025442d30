/**
 * The composite engine: in-process `TryOnEngine`, and the task function `tryOnComposite` that a worker thread runs
 * (one model set and one garment cache per worker). The worker pool dispatches `tryOnComposite` by name.
 */

import { composeTryOn } from '../composite/compose.js';
import type { TryOnEngine, TryOnInput, TryOnOutput } from '../engine.js';
import { EngineError } from '../engine.js';
import { analyzeGarment, type DetectFn, GarmentCache, pickProductImage } from '../garment/analyze.js';
import { encodePng } from '../raster/png.js';
import { decodeImage, detectPerson } from '../vision/person-detector.js';

export interface CompositeContext {
  detect: DetectFn;
  cache: GarmentCache;
}

export interface CompositeEngineOptions {
  /** Person detector (defaults to the vision pipeline's `detectPerson`). */
  detect?: DetectFn;
  /** Directory for the on-disk garment cache (null: memory only). */
  cacheDir?: string | null;
  /** In-memory garment cache entries (default 32; an entry is ~2 MB). */
  cacheSize?: number;
}

export function createCompositeContext(options: CompositeEngineOptions = {}): CompositeContext {
  return {
    detect: options.detect ?? ((img) => detectPerson(img)),
    cache: new GarmentCache(options.cacheSize ?? 32, options.cacheDir ?? null),
  };
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new EngineError('ENGINE_FAILED', 'The try-on was aborted.', true);
}

/** One try-on. Errors are always `EngineError`s with a code. */
export async function tryOnComposite(input: TryOnInput, ctx: CompositeContext): Promise<TryOnOutput> {
  const t0 = performance.now();
  try {
    const person = await decodeImage(input.person);
    checkAborted(input.signal);
    const words = { title: input.product.title, description: input.product.description };
    const productImage = pickProductImage(input.product.images);
    let t = performance.now();
    const garment = await analyzeGarment(productImage, words, { cache: ctx.cache, detect: ctx.detect });
    const garmentMs = performance.now() - t;
    checkAborted(input.signal);
    t = performance.now();
    const det = await ctx.detect(person);
    const personMs = performance.now() - t;
    checkAborted(input.signal);
    const checks = input.checks ?? 'strict';
    const result = composeTryOn(person, det, garment, { checks });
    t = performance.now();
    // PNG: lossless, so every pixel outside the garment stays exactly the person's.
    const image = await encodePng(result.image);
    const encodeMs = performance.now() - t;
    return {
      image,
      contentType: 'image/png',
      width: person.width,
      height: person.height,
      diagnostics: {
        garment: {
          category: garment.cls.category,
          sleeve: garment.cls.sleeve,
          source: garment.source,
          from: garment.cls.source,
        },
        // What the checks found and did not refuse (lenient mode: everything; strict: warnings only).
        checks: { mode: checks, findings: result.findings },
        timingsMs: {
          garment: Math.round(garmentMs),
          person: Math.round(personMs),
          ...Object.fromEntries(Object.entries(result.timings).map(([k, v]) => [k, Math.round(v)])),
          encode: Math.round(encodeMs),
          total: Math.round(performance.now() - t0),
        },
      },
    };
  } catch (err) {
    if (err instanceof EngineError) throw err;
    throw new EngineError('ENGINE_FAILED', `The composite try-on failed: ${(err as Error).message}`, false);
  }
}

export class CompositeEngine implements TryOnEngine {
  readonly name = 'composite';
  private readonly ctx: CompositeContext;

  constructor(options: CompositeEngineOptions = {}) {
    this.ctx = createCompositeContext(options);
  }

  tryOn(input: TryOnInput): Promise<TryOnOutput> {
    return tryOnComposite(input, this.ctx);
  }

  async close(): Promise<void> {}
}
