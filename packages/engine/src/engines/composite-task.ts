/**
 * The worker-thread task `tryOnComposite` (registered in worker-tasks.ts). One garment cache per worker, kept for
 * the worker's lifetime, so a product tried on many customers is cut out once per worker. With the pool's
 * `garmentCacheDir`, analyses are also kept on disk and survive restarts; without it the cache is memory only.
 */
import { EngineError, type TryOnInput } from '../engine.js';
import { bytesOf, ownedBuffer, type TaskHandler, throwIfAborted } from '../pool/registry.js';
import { detectPerson } from '../vision/person-detector.js';
import { type CompositeContext, createCompositeContext, tryOnComposite } from './composite-engine.js';

let context: CompositeContext | null = null;

export const tryOnCompositeTask: TaskHandler = async (payload, ctx) => {
  const p = payload as Partial<TryOnInput> | null;
  if (!p?.product || !Array.isArray(p.product.images)) {
    throw new EngineError('INVALID_IMAGE', 'tryOnComposite payload must have a person and a product');
  }
  throwIfAborted(ctx.signal);
  context ??= createCompositeContext({
    detect: (img) => detectPerson(img, { modelsDir: ctx.config.modelsDir, bodyModel: ctx.config.bodyModel }),
    cacheDir: ctx.config.garmentCacheDir ?? null,
  });
  const input: TryOnInput = {
    person: bytesOf(p.person, 'tryOnComposite person'),
    product: {
      title: p.product.title ?? null,
      description: p.product.description ?? null,
      images: p.product.images.map((i) => ({
        data: bytesOf(i.data, 'product image'),
        contentHash: i.contentHash,
        role: i.role ?? null,
      })),
    },
    signal: ctx.signal,
    checks: p.checks === 'lenient' ? 'lenient' : 'strict',
  };
  const out = await tryOnComposite(input, context);
  const buffer = ownedBuffer(out.image);
  return { value: { ...out, image: new Uint8Array(buffer) }, transfer: [buffer] };
};
