/**
 * The engine's worker tasks: every name the pool can `run`, mapped to the handler that runs inside a worker thread.
 * The worker imports this module once at start; the main thread never does (it would load nothing it needs).
 */
import { tryOnCompositeTask } from '../composite/composite-task.js';
import { cropPersonTask, detectPersonTask } from './person-tasks.js';
import { registerTask } from './registry.js';

export { getTask, registerTask, type TaskContext, type TaskHandler, type TaskResult, taskNames } from './registry.js';

registerTask('detectPerson', detectPersonTask);
registerTask('cropPerson', cropPersonTask);

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
// SLOT: tryOnComposite — the composite try-on engine (packages/engine/src/composite) registers its task here.
// `EnginePool.tryOn(input)` runs the task named 'tryOnComposite' with the payload
//   { person: Uint8Array, product: { title, description, images: [{ data: Uint8Array, contentHash, role }] } }
// (the TryOnInput without `signal`; abort arrives as ctx.signal) and expects a TryOnOutput as `value` (put the
// image's ArrayBuffer in `transfer`, see ownedBuffer in registry.ts). Until it is registered, tryOn fails with
// EngineError('ENGINE_UNAVAILABLE'). To fill the slot:
//   import { tryOnCompositeTask } from '../composite/<module>.js';
//   registerTask('tryOnComposite', tryOnCompositeTask);
// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
registerTask('tryOnComposite', tryOnCompositeTask);
