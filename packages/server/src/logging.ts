/**
 * Where the server's log goes: pino's JSON lines on stdout, written asynchronously.
 *
 * A synchronous write to stdout is a system call inside every log call, and at LOG_LEVEL=info (the default) every
 * request logs two lines. The asynchronous destination (SonicBoom, `pino.destination({ sync: false })`) queues the
 * lines and writes them with `fs.write` off the main thread, batching whatever was logged while a write ran.
 *
 * The price is lines still in memory when the process ends. `flush()` waits for every queued line to reach the file
 * descriptor; `RunningServer.close()` calls it last, so a SIGTERM loses nothing. (pino also writes what is queued,
 * synchronously, on `process.exit`, but not a write that was still in flight.)
 */
import pino, { type DestinationStream } from 'pino';

export interface LogOutput {
  readonly stream: DestinationStream;
  /** Resolves once every line logged so far has been written to the file descriptor. */
  flush(): Promise<void>;
}

/** The default: asynchronous writes to stdout (file descriptor 1). */
export function asyncStdout(): LogOutput {
  // minLength 1 writes each line as soon as nothing else is being written (0 would too), and makes flush(cb) wait
  // for queued and in-flight writes: with minLength 0 SonicBoom's flush calls back at once.
  const stream = pino.destination({ dest: 1, sync: false, minLength: 1 });
  return {
    stream,
    flush: () =>
      new Promise<void>((resolve) => {
        // The callback comes after the queue has drained, then an fsync (which fails on a pipe or a terminal: the
        // lines are written all the same). A write error is reported on the stream, not here.
        stream.flush(() => resolve());
      }),
  };
}
