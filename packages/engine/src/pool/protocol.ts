/** Messages between the worker pool and its threads, and how errors cross the thread boundary. */
import { EngineError, type EngineErrorCode } from '../engine.js';

export interface WorkerConfig {
  modelsDir?: string;
  bodyModel?: 'movenet-lightning' | 'movenet-thunder';
  /** Where garment analyses are kept on disk between runs (null: memory only). */
  garmentCacheDir?: string | null;
  /** Modules (file URLs) the worker imports at start; each registers tasks with `registerTask`. */
  taskModules: string[];
}

export type ToWorker = { type: 'run'; id: number; task: string; payload: unknown } | { type: 'abort'; id: number };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  code?: EngineErrorCode;
  retryable?: boolean;
  stack?: string;
}

/** Structured clone keeps only an Error's message and name: carry EngineError's code and retryable explicitly. */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof EngineError) {
    return { name: err.name, message: err.message, code: err.code, retryable: err.retryable, stack: err.stack };
  }
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err) };
}

export function deserializeError(e: SerializedError): Error {
  if (e.code) {
    const err = new EngineError(e.code, e.message, e.retryable ?? false);
    if (e.stack) err.stack = e.stack;
    return err;
  }
  if (e.name === 'AbortError') return abortError();
  // Anything else thrown by a task is an engine failure; a crash-free throw is deterministic, so not retryable.
  const err = new EngineError('ENGINE_FAILED', e.message, false);
  if (e.stack) err.stack = e.stack;
  return err;
}

export function abortError(reason?: unknown): Error {
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const err = new Error(typeof reason === 'string' ? reason : 'The engine task was aborted');
  err.name = 'AbortError';
  return err;
}
