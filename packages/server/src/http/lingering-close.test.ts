// An answer written before the request's body was read, on a connection that closes, reaches the client whole
// (http/lingering-close.ts). Without the lingering close every request below loses its answer to a TCP reset.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { rawRequest } from '../testing/raw-http.js';
import { createTestContext, type TestContext } from '../testing/test-server.js';
import { lingerBeforeClosing } from './lingering-close.js';

const BIG = 4 * 1024 * 1024;

describe('answers written before the body is read, on a connection that closes', () => {
  let ctx: TestContext;
  let port: number;
  const send = (head: string, body: Buffer) =>
    rawRequest(port, Buffer.concat([Buffer.from(`${head}\r\ncontent-length: ${body.length}\r\n\r\n`), body]));

  before(async () => {
    ctx = await createTestContext({ listen: true, workers: false });
    port = Number(new URL(ctx.baseUrl).port);
  });
  after(() => ctx.close());

  test('a GET carrying a 4 MB body gets the whole OpenAPI document (155 KB), every time', async () => {
    const body = Buffer.alloc(BIG, 0x64);
    for (let i = 0; i < 5; i++) {
      const res = await send(
        'GET /tryon/v1/openapi.json HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: application/octet-stream',
        body,
      );
      assert.equal(res.parseError, undefined, `request ${i}: ${res.parseError}`);
      assert.equal(res.responses[0]?.status, 200);
      assert.equal(JSON.parse(res.responses[0].body.toString()).openapi, '3.0.3');
    }
  });
});

test('a client that keeps sending after the answer and the FIN is closed after the linger time', async () => {
  const server = createServer((_req, res) => {
    res.setHeader('connection', 'close');
    res.end('no');
  });
  lingerBeforeClosing(server, 100);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  // allowHalfOpen: the client does not end its side when the server's FIN arrives (Node's default would).
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  socket.on('error', () => {});
  socket.write('POST / HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n');
  const chunk = Buffer.from(`4000\r\n${'x'.repeat(0x4000)}\r\n`);
  const timer = setInterval(() => socket.write(chunk), 5);
  let answer = '';
  socket.on('data', (d: Buffer) => {
    answer += d.toString('latin1');
  });
  await new Promise<void>((resolve) => socket.on('close', () => resolve()));
  clearInterval(timer);
  assert.match(answer, /^HTTP\/1\.1 200 OK/);
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
