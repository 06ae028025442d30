/**
 * The engine as the server runs it, on worker threads: the composite try-on and the person analysis of uploads, each
 * a task (worker-tasks.ts) run on a generic worker pool (pool/worker-pool.ts). Each worker loads its own model set
 * once (lazily, on its first task) and keeps its own garment cache.
 */
import { EngineError, type TryOnEngine, type TryOnInput, type TryOnOutput } from '../engine.js';
import type { IdentityRegion } from '../identity/identity-pass.js';
import { createWorkerPool, type RunOptions, type WorkerPool } from '../pool/worker-pool.js';
import type { BodyModelName } from '../vision/human-loader.js';
import type { PersonDetection } from '../vision/types.js';

export type { RunOptions } from '../pool/worker-pool.js';

export interface EnginePoolOptions {
  /** Number of worker threads (≥ 1). The wasm backend is single-threaded: use about one per core. */
  threads: number;
  /** Models folder for every worker (default: the package's models/). */
  modelsDir?: string;
  bodyModel?: BodyModelName;
  /** Directory for the composite engine's on-disk garment-analysis cache (keyed by image content hash). */
  garmentCacheDir?: string | null;
  /** Extra modules each worker imports at start to register more tasks (file URLs or absolute paths). */
  taskModules?: Array<string | URL>;
  /**
   * After an abort, how long a worker may take to finish (or notice) the aborted task before it is terminated and
   * replaced. A wasm model call cannot be interrupted, so a short grace avoids reloading models after every abort.
   * Default 2000 ms.
   */
  abortGraceMs?: number;
  /** Task that `tryOn` runs; default 'tryOnComposite' (registered in worker-tasks.ts). */
  tryOnTask?: string;
}

export interface EnginePool extends TryOnEngine {
  readonly name: 'composite';
  readonly threads: number;
  /** Analyses an encoded image (full resolution): keypoints, mask and face in its pixels. */
  detectPerson(encoded: Uint8Array, options?: RunOptions): Promise<PersonDetection>;
  /** Runs any registered task. Buffers in `transferList` are moved to the worker (unusable afterwards). */
  run<T = unknown>(task: string, payload: unknown, transferList?: ArrayBuffer[], options?: RunOptions): Promise<T>;
  /** The try-on, run by the 'tryOnComposite' task; ENGINE_UNAVAILABLE while no such task is registered. */
  tryOn(input: TryOnInput): Promise<TryOnOutput>;
  /** The editable region of an external engine's result for this try-on (identity/identity-pass.ts). */
  identityRegion(input: TryOnInput): Promise<IdentityRegion>;
  /** Rejects queued and running tasks (ENGINE_UNAVAILABLE) and stops the workers. */
  close(): Promise<void>;
}

/** The engine's own tasks, which every worker imports first (before any `taskModules`). */
const ENGINE_TASKS = new URL(
  import.meta.url.endsWith('.ts') ? './worker-tasks.ts' : './worker-tasks.js',
  import.meta.url,
);

class PooledEngine implements EnginePool {
  readonly name = 'composite' as const;

  constructor(
    private readonly pool: WorkerPool,
    private readonly tryOnTask: string,
  ) {}

  get threads(): number {
    return this.pool.threads;
  }

  run<T = unknown>(task: string, payload: unknown, transferList?: ArrayBuffer[], options?: RunOptions): Promise<T> {
    return this.pool.run<T>(task, payload, transferList, options);
  }

  detectPerson(encoded: Uint8Array, options: RunOptions = {}): Promise<PersonDetection> {
    // The caller's bytes are copied, not transferred: the server usually still needs them (storage, the try-on).
    return this.run<PersonDetection>('detectPerson', encoded, [], options);
  }

  identityRegion(input: TryOnInput): Promise<IdentityRegion> {
    const { signal, ...payload } = input; // an AbortSignal cannot cross threads: it travels as the run option
    return this.run<IdentityRegion>('identityRegion', payload, [], { signal });
  }

  async tryOn(input: TryOnInput): Promise<TryOnOutput> {
    const { signal, ...payload } = input; // an AbortSignal cannot cross threads: it travels as the run option
    try {
      return await this.run<TryOnOutput>(this.tryOnTask, payload, [], { signal });
    } catch (err) {
      if (
        err instanceof EngineError &&
        err.code === 'ENGINE_UNAVAILABLE' &&
        err.message.startsWith('Unknown engine task')
      ) {
        throw new EngineError('ENGINE_UNAVAILABLE', `The try-on engine task '${this.tryOnTask}' is not registered`);
      }
      throw err;
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

export function createEnginePool(options: EnginePoolOptions): EnginePool {
  const { tryOnTask = 'tryOnComposite', taskModules = [], ...rest } = options;
  return new PooledEngine(createWorkerPool({ ...rest, taskModules: [ENGINE_TASKS, ...taskModules] }), tryOnTask);
}
