/**
 * Where the server's log goes: pino's JSON lines on stdout, written asynchronously, a batch per event-loop turn.
 *
 * At LOG_LEVEL=info (the default) every request logs two lines, so the cost of a line is part of the cost of a
 * request. A synchronous write per line (pino's default destination) is a system call inside every log call.
 * `write()` here only queues the line; once per event-loop turn the queued lines go out in one `fs.write` on
 * libuv's thread pool, and lines logged while it runs go in the next one. Measured with pino formatting included
 * (2 cores, shared, busy): 9–12 µs per request's two lines, against 19–21 µs for pino's asynchronous destination
 * (SonicBoom, `pino.destination({ sync: false })`, which concatenates the lines into one string and converts it to
 * bytes twice) and 25 µs for a synchronous write per line.
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

/** How long to wait before writing again to a non-blocking pipe that is full (EAGAIN). */
const RETRY_MS = 10;

/** The default: stdout (file descriptor 1). */
export function asyncStdout(): LogOutput {
  return new BatchedWriter(1);
}

const live = new Set<BatchedWriter>();
let exitHook = false;

/** Lines queued in memory and written to `fd` a batch at a time, at most one write in flight. */
export class BatchedWriter implements LogOutput, DestinationStream {
  readonly stream = this;
  private queued: string[] = [];
  private scheduled = false;
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
    if (!this.scheduled && !this.writing) {
      this.scheduled = true;
      setImmediate(this.next);
    }
  }

  flush(): Promise<void> {
    if (!this.writing && this.queued.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Writes what is queued, or tells the flush() callers that everything is written. */
  private readonly next = () => {
    this.scheduled = false;
    if (this.writing) return;
    if (this.queued.length === 0 || this.failed) {
      this.queued = [];
      for (const resolve of this.waiting.splice(0)) resolve();
      return;
    }
    const data = Buffer.from(this.queued.join(''));
    this.queued = [];
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
      this.next();
    });
  }

  /** At exit, when no event loop is left to wait on. A write still in flight is not waited for. */
  private writeQueuedSync(): void {
    if (this.failed || this.queued.length === 0) return;
    const data = Buffer.from(this.queued.join(''));
    this.queued = [];
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
    if (err.code === 'EPIPE') return;
    try {
      writeSync(2, `fitroom: writing the log failed (${err.code ?? err.message}); further log lines are dropped\n`);
    } catch {
      // stderr is gone too.
    }
  }
}
