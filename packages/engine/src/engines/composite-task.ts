/**
 * The worker-thread task `tryOnComposite` (registered in worker-tasks.ts). One garment cache per worker, kept for
 * the worker's lifetime, so a product tried on many customers is cut out once per worker. With the pool's
 * `garmentCacheDir`, analyses are also kept on disk and survive restarts; without it the cache is memory only.
 */
import { EngineError, type TryOnInput } from '../engine.js';
import { bytesOf, ownedBuffer, type TaskContext, type TaskHandler, throwIfAborted } from '../pool/registry.js';
import { detectPerson } from '../vision/person-detector.js';
import { type CompositeContext, createCompositeContext, tryOnComposite } from './composite-engine.js';

let context: CompositeContext | null = null;

/** This worker's composite context (detector and garment cache), shared with the identity-region task. */
export function workerCompositeContext(config: TaskContext['config']): CompositeContext {
  context ??= createCompositeContext({
    detect: (img) => detectPerson(img, { modelsDir: config.modelsDir, bodyModel: config.bodyModel }),
    cacheDir: config.garmentCacheDir ?? null,
  });
  return context;
}

/** The try-on input of a task payload (a TryOnInput without its signal, whose bytes crossed threads). */
export function tryOnInputOf(payload: unknown, signal: AbortSignal, task: string): TryOnInput {
  const p = payload as Partial<TryOnInput> | null;
  if (!p?.product || !Array.isArray(p.product.images)) {
    throw new EngineError('INVALID_IMAGE', `${task} payload must have a person and a product`);
  }
  return {
    person: bytesOf(p.person, `${task} person`),
    product: {
      title: p.product.title ?? null,
      description: p.product.description ?? null,
      images: p.product.images.map((i) => ({
        data: bytesOf(i.data, 'product image'),
        contentHash: i.contentHash,
        role: i.role ?? null,
      })),
    },
    signal,
    checks: p.checks === 'lenient' ? 'lenient' : 'strict',
  };
}

export const tryOnCompositeTask: TaskHandler = async (payload, ctx) => {
  const input = tryOnInputOf(payload, ctx.signal, 'tryOnComposite');
  throwIfAborted(ctx.signal);
  const out = await tryOnComposite(input, workerCompositeContext(ctx.config));
  const buffer = ownedBuffer(out.image);
  return { value: { ...out, image: new Uint8Array(buffer) }, transfer: [buffer] };
};
