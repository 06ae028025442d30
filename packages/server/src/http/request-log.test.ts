/**
 * The request log of the Fastify routes over real HTTP (the polling fast path's lines are compared with these in
 * poll-fast-path.test.ts): one `request completed` line per request at info, router errors included, and a
 * `request aborted` line for a request whose client went away before its answer.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { LogOutput } from '../logging.js';
import { rawRequest } from '../testing/raw-http.js';
import { createTestContext, type TestContext } from '../testing/test-server.js';

type LogLine = Record<string, unknown>;

function capturedLog(): LogOutput & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return { lines, stream: { write: (line: string) => void lines.push(JSON.parse(line)) }, flush: async () => {} };
}

/** The lines with `reqId`, once one with message `last` is there (written after the answer, on its 'close'). */
async function linesOf(log: { lines: LogLine[] }, reqId: string, last: string): Promise<LogLine[]> {
  const mine = () => log.lines.filter((l) => l.reqId === reqId);
  for (let i = 0; i < 200 && !mine().some((l) => l.msg === last); i++) await new Promise((r) => setTimeout(r, 10));
  return mine();
}

describe('request log at LOG_LEVEL=info (the default)', () => {
  let ctx: TestContext;
  let port: number;
  const log = capturedLog();

  before(async () => {
    ctx = await createTestContext({ listen: true, env: { LOG_LEVEL: 'info' }, logOutput: log, workers: false });
    port = Number(new URL(ctx.baseUrl).port);
  });
  after(() => ctx.close());

  test('one line per request: request id, method, url, client address, status, response time', async () => {
    const res = await fetch(`${ctx.baseUrl}/account/credits?x=1`, { headers: { 'x-api-key': ctx.apiKey } });
    assert.equal(res.status, 200);
    await res.text();
    const lines = await linesOf(log, res.headers.get('x-request-id')!, 'request completed');
    assert.equal(lines.length, 1, JSON.stringify(lines));
    const { time, responseTime, pid, hostname, ...rest } = lines[0]!;
    assert.deepEqual(Object.keys(lines[0]!), [
      'level',
      'time',
      'pid',
      'hostname',
      'reqId',
      'req',
      'res',
      'responseTime',
      'msg',
    ]);
    assert.ok(typeof time === 'number' && typeof pid === 'number' && typeof hostname === 'string');
    assert.ok(typeof responseTime === 'number' && responseTime >= 0);
    assert.deepEqual(rest, {
      level: 30,
      reqId: res.headers.get('x-request-id'),
      req: { method: 'GET', url: '/tryon/v1/account/credits?x=1', remoteAddress: '127.0.0.1' },
      res: { statusCode: 200 },
      msg: 'request completed',
    });
  });

  test('rejected requests, unknown routes and router errors get their line too', async () => {
    const unauthorized = await fetch(`${ctx.baseUrl}/account/credits`);
    assert.equal(unauthorized.status, 401);
    const unknown = await fetch(`${ctx.baseUrl}/nothing-here`);
    assert.equal(unknown.status, 404);
    // A URL that does not decode: answered by Fastify's frameworkErrors, before any route.
    const [badUrl] = (
      await rawRequest(port, Buffer.from('GET /tryon/v1/%ff HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'))
    ).responses;
    assert.equal(badUrl?.status, 400);
    for (const [reqId, status, messages] of [
      [unauthorized.headers.get('x-request-id')!, 401, ['request rejected', 'request completed']],
      [unknown.headers.get('x-request-id')!, 404, ['request completed']],
      [badUrl!.headers['x-request-id']!, 400, ['request rejected', 'request completed']],
    ] as const) {
      const lines = await linesOf(log, reqId, 'request completed');
      assert.deepEqual(
        lines.map((l) => l.msg),
        messages,
      );
      assert.deepEqual(lines.at(-1)!.res, { statusCode: status });
    }
  });

  test('a client that goes away before its answer: `request aborted`', async () => {
    const from = log.lines.length;
    // An upload whose body never comes whole: the server is still reading it when the connection closes.
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /tryon/v1/images/upload HTTP/1.1\r\nhost: x\r\nx-api-key: ${ctx.apiKey}\r\nx-request-id: gone-early\r\n` +
        'content-type: multipart/form-data; boundary=b\r\ncontent-length: 100000\r\n\r\n--b\r\n',
    );
    await new Promise((r) => setTimeout(r, 200));
    socket.destroy();
    const lines = await linesOf(log, 'gone-early', 'request aborted');
    // The body's parser fails too, which the error handler logs (`request rejected`) whenever it comes.
    const aborted = lines.filter((l) => l.msg === 'request aborted');
    assert.equal(aborted.length, 1, JSON.stringify(lines));
    const { req, res, responseTime } = aborted[0]!;
    assert.deepEqual(req, { method: 'POST', url: '/tryon/v1/images/upload', remoteAddress: '127.0.0.1' });
    assert.equal(res, undefined);
    assert.ok(typeof responseTime === 'number' && responseTime >= 150, String(responseTime));
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(log.lines.slice(from).every((l) => l.msg !== 'request completed' || l.reqId !== 'gone-early'));
  });
});

describe('request log at other levels', () => {
  async function linesAt(level: string) {
    const log = capturedLog();
    const ctx = await createTestContext({ listen: true, env: { LOG_LEVEL: level }, logOutput: log, workers: false });
    try {
      const res = await fetch(`${ctx.baseUrl}/account/credits`, { headers: { 'x-api-key': ctx.apiKey } });
      await res.text();
      // Whatever the level, wait as for the line at info, then look.
      return await linesOf(log, res.headers.get('x-request-id')!, 'request completed');
    } finally {
      await ctx.close();
    }
  }

  test('debug: Fastify’s `incoming request` line too, with every field of the request', async () => {
    const lines = await linesAt('debug');
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg]),
      [
        [20, 'incoming request'],
        [30, 'request completed'],
      ],
    );
    const req = lines[0]!.req as Record<string, unknown>;
    assert.deepEqual(Object.keys(req), ['method', 'url', 'host', 'remoteAddress', 'remotePort']);
  });

  test('warn: no request line', async () => {
    assert.deepEqual(await linesAt('warn'), []);
  });
});
