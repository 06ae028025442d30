/**
 * A raw HTTP/1.1 client for tests that must send what `app.inject` and `fetch` would normalise or refuse: bad
 * percent-encoding, raw non-ASCII bytes, wrong Content-Length, huge or repeated headers, truncated bodies. One
 * connection per request; every response the server writes on it is parsed (1xx interim answers skipped).
 */
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  /** Lower-cased names; a repeated header keeps its last value. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface RawResult {
  responses: RawResponse[];
  /** Everything the server sent, for failure messages. */
  bytes: Buffer;
  /** The connection was still open after `timeoutMs` (the client then closed it). */
  timedOut: boolean;
  /** Set when the bytes received do not parse as HTTP responses. */
  parseError?: string;
}

export interface RawRequestOptions {
  /** End the client's side after writing (a truncated body the server would otherwise wait for). */
  halfClose?: boolean;
  /** HEAD: responses carry no body whatever their Content-Length. */
  head?: boolean;
  timeoutMs?: number;
}

/** Writes `data` to 127.0.0.1:`port` and collects everything until the server closes the connection. */
export function rawRequest(port: number, data: Buffer, options: RawRequestOptions = {}): Promise<RawResult> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, options.timeoutMs ?? 30_000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    // A reset after the server answered (it closes while unread request bytes remain) is not a failure by itself.
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      const bytes = Buffer.concat(chunks);
      try {
        resolve({ responses: parseResponses(bytes, options.head ?? false), bytes, timedOut });
      } catch (err) {
        resolve({ responses: [], bytes, timedOut, parseError: (err as Error).message });
      }
    });
    socket.write(data, () => {
      if (options.halfClose) socket.end();
    });
  });
}

/** Parses the HTTP/1.1 responses in `bytes` (Content-Length, chunked, or up to the end of the connection). */
export function parseResponses(bytes: Buffer, head: boolean): RawResponse[] {
  const out: RawResponse[] = [];
  let at = 0;
  while (at < bytes.length) {
    const end = bytes.indexOf('\r\n\r\n', at);
    if (end < 0) throw new Error(`incomplete response head at byte ${at}`);
    const lines = bytes.subarray(at, end).toString('latin1').split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
    if (!m) throw new Error(`bad status line ${JSON.stringify(lines[0])}`);
    const status = Number(m[1]);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new Error(`bad header line ${JSON.stringify(line)}`);
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    at = end + 4;
    if (status < 200) continue;
    let body: Buffer = Buffer.alloc(0);
    const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
    if (head || status === 204 || status === 304) {
      // No body, except from an answer written before the request was parsed (Node's parser refused it, so the
      // server could not know it was a HEAD): its body follows when the bytes left are exactly that long.
      if (head && length !== undefined && bytes.length - at === length) {
        body = bytes.subarray(at);
        at = bytes.length;
      }
    } else if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = bytes.indexOf('\r\n', at);
        if (lineEnd < 0) throw new Error('truncated chunk size');
        const size = Number.parseInt(bytes.subarray(at, lineEnd).toString('latin1'), 16);
        if (!Number.isFinite(size)) throw new Error('bad chunk size');
        at = lineEnd + 2;
        if (size === 0) {
          const trailerEnd = bytes.indexOf('\r\n', at);
          at = trailerEnd < 0 ? bytes.length : trailerEnd + 2;
          break;
        }
        parts.push(bytes.subarray(at, at + size));
        at += size + 2;
      }
      body = Buffer.concat(parts);
    } else if (length !== undefined) {
      if (at + length > bytes.length) throw new Error('body shorter than its Content-Length');
      body = bytes.subarray(at, at + length);
      at += length;
    } else {
      body = bytes.subarray(at);
      at = bytes.length;
    }
    out.push({ status, headers, body });
  }
  return out;
}
