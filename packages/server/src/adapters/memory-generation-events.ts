import type { GenerationEvents } from '../ports/generation-events.js';

export class MemoryGenerationEvents implements GenerationEvents {
  private readonly waiters = new Map<string, Set<() => void>>();

  publishTerminal(generationId: string): void {
    const set = this.waiters.get(generationId);
    if (!set) return;
    this.waiters.delete(generationId);
    for (const wake of set) wake();
  }

  waitForTerminal(generationId: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      let set = this.waiters.get(generationId);
      if (!set) {
        set = new Set();
        this.waiters.set(generationId, set);
      }
      const done = (result: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const s = this.waiters.get(generationId);
        s?.delete(wake);
        if (s?.size === 0) this.waiters.delete(generationId);
        resolve(result);
      };
      const wake = () => done(true);
      const onAbort = () => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      set.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
