/**
 * The task registry of a worker thread: task names → handlers that run INSIDE it (where the vision models live). The
 * task modules a pool is given (the engine's: engines/worker-tasks.ts) register their handlers here.
 */
import { EngineError } from '../engine.js';
import type { WorkerConfig } from './protocol.js';

export interface TaskContext {
  /** Aborted when the caller gave up on this task; handlers should check it between stages. */
  signal: AbortSignal;
  /** Models folder and body model chosen for this pool. */
  config: WorkerConfig;
}

export interface TaskResult<T = unknown> {
  value: T;
  /** ArrayBuffers in `value` to move (not copy) to the main thread; they must not be used afterwards. */
  transfer?: ArrayBuffer[];
}

export type TaskHandler = (payload: unknown, ctx: TaskContext) => Promise<TaskResult>;

const registry = new Map<string, TaskHandler>();

export function registerTask(name: string, handler: TaskHandler): void {
  if (registry.has(name)) throw new Error(`engine task ${name} is already registered`);
  registry.set(name, handler);
}

export function getTask(name: string): TaskHandler | undefined {
  return registry.get(name);
}

export function taskNames(): string[] {
  return [...registry.keys()];
}

/** Fails the task early when the caller has aborted it (between stages; a running wasm call cannot be interrupted). */
export function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) {
    const err = new Error('The engine task was aborted');
    err.name = 'AbortError';
    throw err;
  }
}

/** The bytes of an encoded image sent as a payload (structured clone turns Buffers into plain Uint8Arrays). */
export function bytesOf(value: unknown, what: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new EngineError('INVALID_IMAGE', `${what} must be image bytes`);
}

/**
 * An ArrayBuffer holding exactly `bytes`, safe to transfer. Buffers from sharp or Node's pool may be views on a larger
 * or non-detachable backing store; copying those costs far less than cloning them through postMessage would.
 */
export function ownedBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) {
    return bytes.buffer;
  }
  return bytes.slice().buffer as ArrayBuffer;
}
