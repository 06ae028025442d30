/**
 * The engine's worker tasks: every name the engine pool runs, mapped to the handler that runs inside a worker thread.
 * Each worker imports this module first (engine-pool.ts passes it to the worker pool); the main thread never does (it
 * would load nothing it needs). `EnginePool.tryOn(input)` runs 'tryOnComposite' with the TryOnInput without its
 * `signal` (abort arrives as ctx.signal) and gets a TryOnOutput back, its image's ArrayBuffer transferred.
 */
import { registerTask } from '../pool/registry.js';
import { tryOnCompositeTask } from './composite-task.js';
import { identityRegionTask } from './identity-task.js';
import { detectPersonTask } from './person-tasks.js';

registerTask('detectPerson', detectPersonTask);
registerTask('tryOnComposite', tryOnCompositeTask);
registerTask('identityRegion', identityRegionTask);
