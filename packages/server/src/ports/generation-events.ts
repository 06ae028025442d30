/**
 * Tells waiters (POST /try-on/sync) that a generation reached a terminal state, so they wake at once instead of
 * polling the database. In memory for the embedded deployment (workers run in the same process); Redis pub/sub in
 * scale-out, where the worker finishing a generation may be on another machine.
 */
export interface GenerationEvents {
  publishTerminal(generationId: string): void;
  /** Resolves true when the generation becomes terminal, false after `timeoutMs` or on abort. */
  waitForTerminal(generationId: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
}
