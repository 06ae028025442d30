import { ENDPOINTS } from '../endpoints.js';
import { GenerationFailedError, GenerationTimeoutError, RequestAbortedError } from '../errors.js';
import { type RequestOptions, sleep, type Transport, timeoutSignal } from '../transport.js';
import type { Generation } from '../types.js';

export interface WaitForOptions {
  /** Overall deadline in ms. Default 180 000. */
  timeoutMs?: number;
  /** Pause between polls in ms. Default 2 000 (the API's recommendation). */
  pollIntervalMs?: number;
  /** Called with the generation each time its status changes (the first poll counts as a change). */
  onStatus?: (generation: Generation) => void;
  /** Aborts the wait (and the poll in flight); the promise rejects with `RequestAbortedError` (name `AbortError`). */
  signal?: AbortSignal;
}

export class Generations {
  constructor(private readonly transport: Transport) {}

  /**
   * Reads a generation (`GET /generations/:id`).
   *
   * @example
   * const g = await client.generations.retrieve('gen_abc');
   * if (g.status === 'COMPLETED') console.log(g.resultImageUrl);
   */
  async retrieve(generationId: string, requestOptions?: RequestOptions): Promise<Generation> {
    const res = await this.transport.request<Generation>({
      endpoint: ENDPOINTS['generations.retrieve'],
      params: { generationId },
      options: requestOptions,
    });
    return res.data;
  }

  /**
   * Polls a generation until it is terminal. Resolves with the COMPLETED generation; throws `GenerationFailedError`
   * (with `errorCode`, `errorMessage`, `generation`) when it FAILED, `GenerationTimeoutError` after `timeoutMs`, and
   * `RequestAbortedError` (name `AbortError`) when `signal` fires. Each poll is an ordinary `retrieve` (retried on
   * transient errors); a poll still running at the deadline is cut off.
   *
   * @example
   * const done = await client.generations.waitFor(generationId, {
   *   timeoutMs: 120_000,
   *   onStatus: (g) => console.log(g.status),
   * });
   * console.log(done.resultImageUrl);
   */
  async waitFor(generationId: string, options: WaitForOptions = {}): Promise<Generation> {
    const timeoutMs = options.timeoutMs ?? 180_000;
    const pollIntervalMs = options.pollIntervalMs ?? 2_000;
    const deadline = Date.now() + timeoutMs;
    const userSignal = options.signal;
    if (userSignal?.aborted) throw new RequestAbortedError(userSignal.reason);

    // One signal for everything in flight: fires on the caller's abort or at the deadline, whichever comes first.
    const guard = timeoutSignal(timeoutMs, userSignal);

    let last: Generation | undefined;
    try {
      for (;;) {
        const generation = await this.retrieve(generationId, { signal: guard.signal });
        if (generation.status !== last?.status) options.onStatus?.(generation);
        last = generation;
        if (generation.status === 'COMPLETED') return generation;
        if (generation.status === 'FAILED') throw new GenerationFailedError(generation);
        if (Date.now() >= deadline) {
          throw new GenerationTimeoutError(generationId, timeoutMs, last);
        }
        await sleep(Math.max(0, Math.min(pollIntervalMs, deadline - Date.now())), guard.signal);
      }
    } catch (err) {
      if (err instanceof RequestAbortedError) {
        if (userSignal?.aborted) throw new RequestAbortedError(userSignal.reason);
        if (guard.timedOut()) throw new GenerationTimeoutError(generationId, timeoutMs, last);
      }
      throw err;
    } finally {
      guard.dispose();
    }
  }
}
