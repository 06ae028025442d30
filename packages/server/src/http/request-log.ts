/**
 * The request log: at `info` (the default) one line per request, written when its answer is finished:
 *
 *   {"level":30,"time":…,"pid":…,"hostname":…,"reqId":"req_…","req":{"method":"GET","url":"/tryon/v1/…",
 *    "remoteAddress":"…"},"res":{"statusCode":200},"responseTime":0.84,"msg":"request completed"}
 *
 * or `request aborted` (no `res`) when the client's connection closed before its answer was finished. Fastify's
 * `incoming request` line, with every field its serializer takes from the request (host, port, accept-version), is
 * written at `debug`; the error handler's `request rejected` / `request failed` lines are unchanged.
 *
 * Why one line and not Fastify's two: under polling load (`npm run bench -- generations-rps`) a bare Fastify route
 * took 39 µs of CPU per request with no logger and 61 µs with its two lines, and fitroom's polling route 106 µs with
 * two lines against 96 µs with this one (91 µs logging nothing; one run, 4 rounds each, 2026-12-07). The one line
 * keeps what a request is looked up by: its id (the client's x-request-id), method, url, client, status and time.
 *
 * The Fastify routes write the line through `RequestLogController` (Fastify's hook for its own request lines), the
 * polling fast path (poll-fast-path.ts) through the same `RequestLines`, so that both write the same text.
 * `poll-fast-path.test.ts` compares them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import proxyAddr from '@fastify/proxy-addr';
import { type FastifyBaseLogger, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import pino from 'pino';

const COMPLETED = ',"msg":"request completed"';
const ABORTED = ',"msg":"request aborted"';
const INCOMING = ',"msg":"incoming request"';
const REJECTED = ',"msg":"request rejected"';

/** pino's numeric levels of the lines written here. */
const INFO = 30;
const DEBUG = 20;

/**
 * Writes the request lines, composed from the logger's own pieces (level and time prefix, bindings, line end) as
 * `log.info` would write them, without its serializers and redaction (none of these fields is a header): the polling
 * fast path spent 78–86 µs per request so against 88–126 µs through `log.info` (its two lines then; busy machine,
 * four runs). Created once the logger exists; `info` and `debug` are null when the level leaves those lines out.
 */
export class RequestLines {
  private readonly info: LineWriter | null;
  private readonly debug: LineWriter | null;

  constructor(
    log: FastifyBaseLogger,
    /** TRUST_PROXY: the client address logged is the forwarded one, as Fastify's `request.ip`. */
    private readonly trustProxy: boolean,
  ) {
    const enabled = (level: string) => (log as unknown as pino.Logger).isLevelEnabled(level);
    this.info = enabled('info') ? lineWriter(log, INFO) : null;
    this.debug = enabled('debug') ? lineWriter(log, DEBUG) : null;
  }

  /** Whether requests are logged at all (LOG_LEVEL info and below). */
  get enabled(): boolean {
    return this.info !== null;
  }

  /**
   * Logs the request once its answer is finished (`request completed`), or once its connection closed before that
   * (`request aborted`). `start` is `performance.now()` when the request came in; `onFinished` is called for a
   * finished answer with its response time in milliseconds.
   */
  logWhenDone(
    reqId: string,
    req: IncomingMessage,
    res: ServerResponse,
    start: number,
    onFinished?: (status: number, ms: number) => void,
  ): void {
    // Now: the client's address is gone once the connection has closed.
    const fields = this.fields(reqId, req);
    // 'close' comes after 'finish' for every answer, and alone when the connection goes first: one listener for both.
    // It comes once: `on` spares the wrapper and removal of `once` (1% of a poll's CPU in a perf profile).
    res.on('close', () => {
      const ms = performance.now() - start;
      if (res.writableFinished) {
        this.info?.write(`${fields},"res":{"statusCode":${res.statusCode}},"responseTime":${ms}`, COMPLETED);
        onFinished?.(res.statusCode, ms);
      } else this.info?.write(`${fields},"responseTime":${ms}`, ABORTED);
    });
  }

  /** The fast path's `incoming request` at debug, as Fastify's request serializer writes it. */
  incoming(reqId: string, req: IncomingMessage): void {
    this.debug?.write(`,"reqId":${JSON.stringify(reqId)},"req":${JSON.stringify(this.incomingFields(req))}`, INCOMING);
  }

  /** The error handler's line for a 4xx answer (app.ts). */
  rejected(reqId: string, code: string): void {
    this.info?.write(`,"reqId":${JSON.stringify(reqId)},"code":${JSON.stringify(code)}`, REJECTED);
  }

  private fields(reqId: string, req: IncomingMessage): string {
    const fields = { method: req.method, url: req.url, remoteAddress: this.clientAddress(req) };
    return `,"reqId":${JSON.stringify(reqId)},"req":${JSON.stringify(fields)}`;
  }

  /**
   * What Fastify's request serializer takes from the request (method, url, the accept-version header, host, ip,
   * socket.remotePort), from the raw request. `host` follows Fastify's request getter, with and without trustProxy.
   */
  private incomingFields(req: IncomingMessage) {
    const { headers } = req;
    let host = headers.host ?? '';
    if (this.trustProxy) {
      const forwardedHost = headers['x-forwarded-host'];
      if (typeof forwardedHost === 'string' && forwardedHost !== '') {
        host = forwardedHost.slice(forwardedHost.lastIndexOf(',') + 1).trim();
      }
    }
    return {
      method: req.method,
      url: req.url,
      version: headers['accept-version'],
      host,
      remoteAddress: this.clientAddress(req),
      remotePort: req.socket.remotePort,
    };
  }

  /** Fastify's `request.ip`: the socket's address, or under TRUST_PROXY (every hop trusted) the furthest forwarded. */
  private clientAddress(req: IncomingMessage): string | undefined {
    if (!this.trustProxy) return req.socket.remoteAddress;
    const addresses = proxyAddr.all(req, trustAll);
    return addresses[addresses.length - 1];
  }
}

const trustAll = () => true;

/**
 * Fastify's request lines (see the top of this file): `incoming request` at debug, one line when the request is done.
 * Fastify calls `incomingRequest` for every request it takes, its router's errors (`frameworkErrors`) included, and
 * `requestCompleted` when the answer is finished or failed to be written.
 */
export class RequestLogController extends LogController {
  /** Set once Fastify has made its logger; null with no logger. */
  lines: RequestLines | null = null;

  override incomingRequest(request: FastifyRequest, reply: FastifyReply): void {
    request.log.debug({ req: request }, 'incoming request');
    if (this.lines?.enabled) this.lines.logWhenDone(request.id, request.raw, reply.raw, performance.now());
  }

  override requestCompleted(error: Error | null | undefined, _request: FastifyRequest, reply: FastifyReply): void {
    // The `request completed` line comes from incomingRequest's listener; a failed write is logged as Fastify does.
    if (error) reply.log.error({ res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
  }
}

interface LineWriter {
  /** Writes `{prefix+time+bindings}{fields}{message}{end}`: fields as `,"k":v…`, the message as `,"msg":"…"`. */
  write(fields: string, message: string): void;
}

/**
 * Lines at `level` as `log[level]` would write them, given the fields between the bindings and the message:
 * `{"level":30,"time":…` + the bindings (pid, hostname) + fields + message + line end, to the logger's destination.
 * Refuses (at start-up) a logger whose options would change a line past these pieces.
 */
function lineWriter(log: FastifyBaseLogger, level: number): LineWriter {
  const s = pino.symbols;
  const l = log as unknown as Record<symbol, unknown>;
  const prefix = (l[s.lsCacheSym] as Record<number, string> | undefined)?.[level];
  const time = l[s.timeSym] as (() => string) | undefined;
  const bindings = l[s.chindingsSym];
  const end = l[s.endSym];
  const stream = l[s.streamSym] as (pino.DestinationStream & Record<symbol, unknown>) | undefined;
  const formatters = l[s.formattersSym] as { log?: unknown } | undefined;
  const hooks = l[s.hooksSym] as { logMethod?: unknown; streamWrite?: unknown } | undefined;
  if (
    typeof prefix !== 'string' ||
    typeof time !== 'function' ||
    typeof bindings !== 'string' ||
    typeof end !== 'string' ||
    l[s.messageKeySym] !== 'msg' ||
    l[s.mixinSym] ||
    (log as { msgPrefix?: string }).msgPrefix ||
    formatters?.log ||
    hooks?.logMethod ||
    hooks?.streamWrite ||
    typeof stream?.write !== 'function' ||
    stream[s.needsMetadataGsym]
  ) {
    throw new Error('request log: the logger is not a plain pino logger; its request lines cannot be written');
  }
  return {
    write(fields, message) {
      stream.write(prefix + time.call(log) + bindings + fields + message + end);
    },
  };
}
