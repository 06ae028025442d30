/**
 * The worker-thread task `identityRegion` (registered in worker-tasks.ts): the editable region of a try-on for the
 * identity pass of an external engine's result (identity/identity-pass.ts), with this worker's models and garment
 * cache. Payload: a TryOnInput without its signal; value: an IdentityRegion, its alpha's buffer transferred.
 */
import { identityRegion } from '../identity/identity-pass.js';
import { ownedBuffer, type TaskHandler, throwIfAborted } from '../pool/registry.js';
import { tryOnInputOf, workerCompositeContext } from './composite-task.js';

export const identityRegionTask: TaskHandler = async (payload, ctx) => {
  const input = tryOnInputOf(payload, ctx.signal, 'identityRegion');
  throwIfAborted(ctx.signal);
  const region = await identityRegion(input, workerCompositeContext(ctx.config));
  const buffer = ownedBuffer(region.alpha);
  return { value: { ...region, alpha: new Uint8Array(buffer) }, transfer: [buffer] };
};
