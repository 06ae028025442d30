/**
 * Where the server's log goes: pino's JSON lines on stdout, written asynchronously and in batches.
 *
 * At LOG_LEVEL=info (the default) every request logs a line (http/request-log.ts), so the cost of a line is part of
 * the cost of a request. `write()` only queues the line; the queued lines go out together in one `fs.write` on
 * libuv's thread pool every 10 ms (sooner once 64 KB are queued), one write at a time. Measured in isolation on this
 * project's 2-core machine while it was busy, pino's formatting included, for two lines (what a request logged
 * then): 11–16 µs here, 16–28 µs through pino's asynchronous destination (SonicBoom,
 * `pino.destination({ sync: false })`, which writes as soon as it is idle and copies the text more), 18–26 µs with a
 * synchronous write per line.
 * With an event-loop turn per two requests (a lightly loaded server) the whole turn cost 50–53 µs per request against
 * 80–86 µs writing once per turn and 102–112 µs through SonicBoom: each `fs.write` is a round trip through the thread
 * pool.
 *
 * Queued lines are lost if the process ends before they are written: `flush()` waits until every line logged so far
 * is written, and `RunningServer.close()` calls it last, so a SIGTERM loses nothing. On any other exit (a crash,
 * `process.exit`) what is still queued is written synchronously.
 */
import { write, writeSync } from 'node:fs';
import type { DestinationStream } from 'pino';

export interface LogOutput {
  readonly stream: DestinationStream;
  /** Resolves once every line logged so far has been written to the file descriptor. */
  flush(): Promise<void>;
}

/** Lines wait at most this long to be written, unless BATCH_BYTES are queued first. */
const BATCH_MS = 10;
const BATCH_BYTES = 64 * 1024;
/** How long to wait before writing again to a non-blocking pipe that is full (EAGAIN). */
const RETRY_MS = 10;

/** The default: stdout (file descriptor 1). */
export function asyncStdout(): LogOutput {
  return new BatchedWriter(1);
}

const live = new Set<BatchedWriter>();
let exitHook = false;

/**
 * Lines queued in memory and written to `fd` in batches: at most one write in flight, one write per BATCH_MS or per
 * BATCH_BYTES queued, whichever comes first. (A write per event-loop turn cost more: each `fs.write` is a round trip
 * through libuv's thread pool, and under load a turn carries only a few requests.)
 */
export class BatchedWriter implements LogOutput, DestinationStream {
  readonly stream = this;
  private queued: string[] = [];
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private writing = false;
  private failed = false;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly fd: number) {
    live.add(this);
    if (!exitHook) {
      exitHook = true;
      process.once('exit', () => {
        for (const writer of live) writer.writeQueuedSync();
      });
    }
  }

  write(line: string): void {
    if (this.failed) return;
    this.queued.push(line);
    this.queuedBytes += line.length;
    if (!this.writing) this.schedule();
  }

  flush(): Promise<void> {
    if (!this.writing && this.queued.length === 0) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.waiting.push(resolve));
    if (!this.writing) this.next();
    return done;
  }

  /** A write now if enough is queued, else once BATCH_MS have passed. */
  private schedule(): void {
    if (this.queuedBytes >= BATCH_BYTES) this.next();
    else if (!this.timer && this.queued.length > 0) this.timer = setTimeout(this.next, BATCH_MS).unref();
  }

  /** Writes what is queued, or tells the flush() callers that everything is written. */
  private readonly next = () => {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.queued.length === 0 || this.failed) {
      this.queued = [];
      this.queuedBytes = 0;
      for (const resolve of this.waiting.splice(0)) resolve();
      return;
    }
    const data = Buffer.from(this.queued.join(''));
    this.queued = [];
    this.queuedBytes = 0;
    this.writeOut(data);
  };

  private writeOut(data: Buffer): void {
    this.writing = true;
    write(this.fd, data, 0, data.length, null, (err, written) => {
      if (err && err.code === 'EAGAIN') {
        setTimeout(() => this.writeOut(data), RETRY_MS);
        return;
      }
      if (err) {
        this.fail(err);
      } else if (written < data.length) {
        this.writeOut(data.subarray(written));
        return;
      }
      this.writing = false;
      if (this.waiting.length > 0 || this.failed) this.next();
      else this.schedule();
    });
  }

  /** At exit, when no event loop is left to wait on. A write still in flight is not waited for. */
  private writeQueuedSync(): void {
    if (this.failed || this.queued.length === 0) return;
    const data = Buffer.from(this.queued.join(''));
    this.queued = [];
    this.queuedBytes = 0;
    for (let at = 0, tries = 0; at < data.length; ) {
      try {
        at += writeSync(this.fd, data, at);
      } catch (err) {
        // A full non-blocking pipe: wait for the reader a little (there is no event loop left), then give up.
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || ++tries > 100) return;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, RETRY_MS);
      }
    }
  }

  /** The reader is gone (EPIPE) or the descriptor is unusable: say so once on stderr and drop further lines. */
  private fail(err: NodeJS.ErrnoException): void {
    this.failed = true;
    this.queued = [];
    this.queuedBytes = 0;
    if (err.code === 'EPIPE') return;
    try {
      writeSync(2, `fitroom: writing the log failed (${err.code ?? err.message}); further log lines are dropped\n`);
    } catch {
      // stderr is gone too.
    }
  }
}
