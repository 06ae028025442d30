/**
 * A pool of worker threads that run named tasks. Each worker imports the task modules it is given (each registers its
 * handlers, see registry.ts) and runs one task at a time, so `threads` is the parallelism. Tasks are queued FIFO; a
 * crashed worker is replaced and its task rejected as retryable; aborting rejects at once and never leaves a worker
 * stuck. The pool knows no task: the engine's are in engines/worker-tasks.ts.
 */
import { Worker } from 'node:worker_threads';
import { EngineError } from '../engine.js';
import { abortError, deserializeError, type FromWorker, type ToWorker, type WorkerConfig } from './protocol.js';

export interface WorkerPoolOptions {
  /** Number of worker threads (≥ 1). */
  threads: number;
  /** Modules each worker imports at start to register its tasks (file URLs or absolute paths), in this order. */
  taskModules: Array<string | URL>;
  /** Models folder for every worker (default: the package's models/). */
  modelsDir?: string;
  bodyModel?: WorkerConfig['bodyModel'];
  /** Directory for an on-disk cache the tasks may keep (the composite engine's garment analyses). */
  garmentCacheDir?: string | null;
  /**
   * After an abort, how long a worker may take to finish (or notice) the aborted task before it is terminated and
   * replaced. A wasm model call cannot be interrupted, so a short grace avoids reloading models after every abort.
   * Default 2000 ms.
   */
  abortGraceMs?: number;
}

export interface RunOptions {
  signal?: AbortSignal;
}

export interface WorkerPool {
  readonly threads: number;
  /** Runs a registered task. Buffers in `transferList` are moved to the worker (unusable afterwards). */
  run<T = unknown>(task: string, payload: unknown, transferList?: ArrayBuffer[], options?: RunOptions): Promise<T>;
  /** Rejects queued and running tasks (ENGINE_UNAVAILABLE) and stops the workers. */
  close(): Promise<void>;
}

interface Job {
  id: number;
  task: string;
  payload: unknown;
  transfer: ArrayBuffer[];
  settled: boolean;
  resolve(value: unknown): void;
  reject(err: Error): void;
  cleanup(): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: Job | null;
  /** Set when we terminate the worker on purpose (abort grace over, close): its exit is not a crash. */
  killing: boolean;
  abortTimer: NodeJS.Timeout | null;
  lastError: Error | null;
}

/**
 * The worker's entry. From dist it is worker.js. From the sources (tests and dev run under `--import tsx`) it is
 * worker.ts, and although a Worker inherits execArgv, tsx's `--import` hooks are not active in worker threads on
 * Node 20 ("Unknown file extension .ts"): so the worker starts from a tiny ESM bootstrap that registers tsx's loader
 * in that thread first, then imports worker.ts.
 */
function workerEntry(): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL('./worker.js', import.meta.url);
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const target = new URL('./worker.ts', import.meta.url).href;
  const code = `import { register } from ${JSON.stringify(tsxApi)};\nregister();\nawait import(${JSON.stringify(target)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

const WORKER_URL = workerEntry();

/** Workers that die before becoming ready this many times in a row mean a broken install, not bad luck. */
const MAX_STARTUP_FAILURES = 3;

class ThreadPool implements WorkerPool {
  readonly threads: number;
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  private readonly config: WorkerConfig;
  private readonly abortGraceMs: number;
  private nextId = 1;
  private closed = false;
  private startupFailures = 0;
  private broken: EngineError | null = null;

  constructor(options: WorkerPoolOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 1) {
      throw new RangeError(`threads must be a positive integer, got ${options.threads}`);
    }
    this.threads = options.threads;
    this.abortGraceMs = options.abortGraceMs ?? 2000;
    this.config = {
      modelsDir: options.modelsDir,
      bodyModel: options.bodyModel,
      garmentCacheDir: options.garmentCacheDir ?? null,
      taskModules: options.taskModules.map((m) =>
        m instanceof URL ? m.href : m.startsWith('file:') ? m : new URL(`file://${m}`).href,
      ),
    };
    for (let i = 0; i < this.threads; i++) this.spawn();
  }

  private spawn(): void {
    const worker = new Worker(WORKER_URL, { workerData: this.config });
    const slot: Slot = { worker, ready: false, job: null, killing: false, abortTimer: null, lastError: null };
    this.slots.add(slot);
    worker.on('message', (message: FromWorker) => this.onMessage(slot, message));
    worker.on('error', (err) => {
      slot.lastError = err;
    });
    worker.on('exit', (code) => this.onExit(slot, code));
  }

  private onMessage(slot: Slot, message: FromWorker): void {
    if (message.type === 'ready') {
      slot.ready = true;
      this.startupFailures = 0;
      this.pump();
      return;
    }
    const job = slot.job;
    // A result for a job this slot no longer holds cannot happen (one job per worker); ignore it defensively.
    if (!job || job.id !== message.id) return;
    slot.job = null;
    if (slot.abortTimer) clearTimeout(slot.abortTimer);
    slot.abortTimer = null;
    // An aborted job is already settled: its late result is dropped, and the worker is free again.
    if (message.ok) this.settle(job, message.value);
    else this.settle(job, undefined, deserializeError(message.error));
    this.pump();
  }

  private onExit(slot: Slot, code: number): void {
    this.slots.delete(slot);
    if (slot.abortTimer) clearTimeout(slot.abortTimer);
    const job = slot.job;
    slot.job = null;
    if (job) {
      const why = slot.lastError ? `: ${slot.lastError.message}` : '';
      // The same input may well succeed on a fresh worker (out of memory, a wasm trap): let the caller retry.
      this.settle(job, undefined, new EngineError('ENGINE_FAILED', `Engine worker exited (code ${code})${why}`, true));
    }
    if (this.closed) return;
    if (!slot.killing && !slot.ready) {
      this.startupFailures++;
      if (this.startupFailures >= MAX_STARTUP_FAILURES) {
        this.broken = new EngineError(
          'ENGINE_UNAVAILABLE',
          `Engine workers fail to start${slot.lastError ? `: ${slot.lastError.message}` : ''}`,
        );
        for (const queued of this.queue.splice(0)) this.settle(queued, undefined, this.broken);
        return;
      }
    }
    this.spawn();
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (!slot.ready || slot.job || slot.killing) continue;
      let job = this.queue.shift();
      while (job?.settled) job = this.queue.shift();
      if (!job) return;
      slot.job = job;
      const message: ToWorker = { type: 'run', id: job.id, task: job.task, payload: job.payload };
      try {
        slot.worker.postMessage(message, job.transfer);
      } catch (err) {
        // Not cloneable (a function, a class instance with private state…): the caller's mistake, not retryable.
        slot.job = null;
        this.settle(job, undefined, new EngineError('ENGINE_FAILED', `Cannot send task ${job.task}: ${String(err)}`));
      }
    }
  }

  private settle(job: Job, value: unknown, error?: Error): void {
    if (job.settled) return;
    job.settled = true;
    job.cleanup();
    if (error) job.reject(error);
    else job.resolve(value);
  }

  private onAbort(job: Job, reason: unknown): void {
    if (job.settled) return;
    const index = this.queue.indexOf(job);
    if (index >= 0) this.queue.splice(index, 1);
    this.settle(job, undefined, abortError(reason));
    for (const slot of this.slots) {
      if (slot.job !== job) continue;
      slot.worker.postMessage({ type: 'abort', id: job.id } satisfies ToWorker);
      // If the worker has not let go of the task after the grace period (a long wasm call, a handler that ignores
      // the signal, an endless loop), replace it: the pool must not lose a thread to an abandoned task.
      slot.abortTimer = setTimeout(() => {
        if (slot.job !== job) return;
        slot.killing = true;
        void slot.worker.terminate();
      }, this.abortGraceMs);
      slot.abortTimer.unref();
    }
  }

  run<T = unknown>(
    task: string,
    payload: unknown,
    transferList: ArrayBuffer[] = [],
    options: RunOptions = {},
  ): Promise<T> {
    if (this.closed) return Promise.reject(new EngineError('ENGINE_UNAVAILABLE', 'The engine pool is closed', true));
    if (this.broken) return Promise.reject(this.broken);
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortError(signal.reason));
    return new Promise<T>((resolve, reject) => {
      const job: Job = {
        id: this.nextId++,
        task,
        payload,
        transfer: transferList,
        settled: false,
        resolve: resolve as (value: unknown) => void,
        reject,
        cleanup: () => signal?.removeEventListener('abort', abort),
      };
      const abort = () => this.onAbort(job, signal?.reason);
      signal?.addEventListener('abort', abort, { once: true });
      this.queue.push(job);
      this.pump();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closedError = new EngineError('ENGINE_UNAVAILABLE', 'The engine pool was closed', true);
    for (const job of this.queue.splice(0)) this.settle(job, undefined, closedError);
    const exits: Promise<number>[] = [];
    for (const slot of this.slots) {
      if (slot.job) this.settle(slot.job, undefined, closedError);
      slot.killing = true;
      exits.push(slot.worker.terminate());
    }
    await Promise.all(exits);
  }
}

export function createWorkerPool(options: WorkerPoolOptions): WorkerPool {
  return new ThreadPool(options);
}
