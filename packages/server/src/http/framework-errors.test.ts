// Errors raised before a route handler runs (the router, Node's HTTP parser, Fastify's plugins) answered in the
// contract's envelope. Over real HTTP: app.inject normalises or refuses most of these shapes.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ERROR_CATALOGUE } from '../errors.js';
import { parseResponses, type RawResponse, rawRequest } from '../testing/raw-http.js';
import { createTestContext, type TestContext } from '../testing/test-server.js';
import { clientErrorAnswer } from './to-api-error.js';

function assertEnvelope(res: RawResponse | undefined, status: number, code: string) {
  assert.ok(res, 'no answer');
  assert.equal(res.status, status, res.body.toString());
  assert.match(res.headers['content-type'] ?? '', /^application\/json/);
  assert.ok(res.headers['x-request-id'], 'x-request-id');
  const body = JSON.parse(res.body.toString());
  assert.equal(body.code, code);
  assert.equal(body.status, status);
  assert.equal(typeof body.message, 'string');
  assert.deepEqual(
    Object.keys(body).filter((k) => !['code', 'message', 'status', 'details'].includes(k)),
    [],
  );
}

describe('router and HTTP-parser errors in the envelope (real HTTP)', () => {
  let ctx: TestContext;
  let port: number;
  const send = async (head: string, body = '', options: { halfClose?: boolean } = {}) => {
    const res = await rawRequest(port, Buffer.from(`${head}\r\n\r\n${body}`, 'latin1'), options);
    assert.equal(res.parseError, undefined, res.bytes.toString('latin1'));
    return res.responses;
  };
  const get = (target: string, extra = '') =>
    send(`GET ${target} HTTP/1.1\r\nhost: x\r\nconnection: close\r\nx-api-key: ${ctx.apiKey}${extra}`);

  before(async () => {
    ctx = await createTestContext({ listen: true, workers: false });
    port = Number(new URL(ctx.baseUrl).port);
  });
  after(() => ctx.close());

  test('a URL that does not percent-decode → 400 VALIDATION_FAILED (was Fastify FST_ERR_BAD_URL)', async () => {
    for (const target of [
      '/tryon/v1/%ff%fe',
      '/tryon/v1/generations/%ff%fe',
      '/tryon/v1/products/%/images',
      '/tryon/v1/products/%c3',
      '/healthz%zz',
    ]) {
      const [res] = await get(target);
      assertEnvelope(res, 400, 'VALIDATION_FAILED');
    }
  });

  test('a 4,000-character id → 414 URI_TOO_LONG (was Fastify FST_ERR_MAX_PARAM_LENGTH)', async () => {
    for (const route of ['generations', 'products', 'customers']) {
      const [res] = await (route === 'customers'
        ? send(
            `DELETE /tryon/v1/customers/${'a'.repeat(4000)} HTTP/1.1\r\nhost: x\r\nconnection: close\r\nx-api-key: ${ctx.apiKey}`,
          )
        : get(`/tryon/v1/${route}/${'a'.repeat(4000)}`));
      assertEnvelope(res, 414, 'URI_TOO_LONG');
    }
  });

  test('request line and headers over 16 KB → 431 HEADERS_TOO_LARGE (was Fastify/Node shape)', async () => {
    assertEnvelope((await get(`/tryon/v1/products/${'a'.repeat(20_000)}`))[0], 431, 'HEADERS_TOO_LARGE');
    assertEnvelope(
      (await get('/tryon/v1/account/credits', `\r\nx-junk: ${'j'.repeat(17_000)}`))[0],
      431,
      'HEADERS_TOO_LARGE',
    );
  });

  test('a request Node cannot parse → 400 VALIDATION_FAILED with a request id', async () => {
    for (const head of [
      'GET tryon/v1/products HTTP/1.1\r\nhost: x',
      'BREW /tryon/v1/products HTTP/1.1\r\nhost: x',
      'GET /tryon/v1/products\x01 HTTP/1.1\r\nhost: x',
      'GET /tryon/v1/pr\xc3\xb6ducts HTTP/1.1\r\nhost: x',
      'GET /tryon/v1/products HTTP/1.1\r\nhost: x\r\nbad header: 1',
      'POST /tryon/v1/products HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\ntransfer-encoding: chunked',
      'POST /tryon/v1/products HTTP/1.1\r\nhost: x\r\ncontent-length: abc',
    ]) {
      const [res] = await send(head, '{}');
      assertEnvelope(res, 400, 'VALIDATION_FAILED');
      assert.match(res?.headers['x-request-id'] ?? '', /^req_[0-9a-f-]{36}$/);
    }
  });

  test('an Expect other than 100-continue is ignored (Node answered a bare 417)', async () => {
    const [res] = await get('/tryon/v1/account/credits', '\r\nexpect: foo');
    assert.equal(res?.status, 200);
    assert.deepEqual(JSON.parse(res?.body.toString() ?? ''), { creditBalance: 100 });
  });

  test('an HTTP/1.1 request without Host is served (Node answered a bare, empty 400); CONNECT gets 404', async () => {
    const [res] = await send(`GET /tryon/v1/account/credits HTTP/1.1\r\nconnection: close\r\nx-api-key: ${ctx.apiKey}`);
    assert.equal(res?.status, 200);
    assert.deepEqual(JSON.parse(res?.body.toString() ?? ''), { creditBalance: 100 });
    assertEnvelope((await send('CONNECT 127.0.0.1:443 HTTP/1.1\r\nhost: 127.0.0.1:443'))[0], 404, 'NOT_FOUND');
  });

  test("the docs' static files: a path out of their folder, a bad byte, an unsatisfiable Range → 4xx, never a 500", async () => {
    assertEnvelope((await get('/tryon/v1/docs/static/../../../../etc/passwd'))[0], 404, 'NOT_FOUND');
    assertEnvelope((await get('/tryon/v1/docs/static/%00'))[0], 400, 'VALIDATION_FAILED');
    const css = '/tryon/v1/docs/static/swagger-ui.css';
    assert.equal((await get(css))[0]?.status, 200);
    assertEnvelope((await get(css, '\r\nrange: bytes=999999999-'))[0], 400, 'VALIDATION_FAILED');
    assertEnvelope((await get(css, '\r\nif-match: "nope"'))[0], 400, 'VALIDATION_FAILED');
  });
});

test('a request arriving once shutdown has begun → 503 SERVICE_UNAVAILABLE in the envelope', async () => {
  // Fastify's own answer while closing was {"error":"Service Unavailable",…}; before Fastify closes, the request
  // was served against resources about to be freed.
  const ctx = await createTestContext({ listen: true, workers: false });
  try {
    const port = Number(new URL(ctx.baseUrl).port);
    const request = Buffer.from(
      `GET /tryon/v1/account/credits HTTP/1.1\r\nhost: x\r\nconnection: close\r\nx-api-key: ${ctx.apiKey}\r\n\r\n`,
    );
    assert.equal((await rawRequest(port, request)).responses[0]?.status, 200);
    ctx.deps.beginShutdown();
    for (const target of ['/tryon/v1/account/credits', '/healthz', '/nope']) {
      const res = await rawRequest(port, Buffer.from(`GET ${target} HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`));
      assertEnvelope(res.responses[0], 503, 'SERVICE_UNAVAILABLE');
    }
  } finally {
    await ctx.close();
  }
});

test('headers not complete within headersTimeout → 408 REQUEST_TIMEOUT; a reset connection gets nothing', () => {
  const answer = clientErrorAnswer({ code: 'ERR_HTTP_REQUEST_TIMEOUT' }, 'req_1');
  assert.ok(answer);
  const [res] = parseResponses(Buffer.from(answer), false);
  assertEnvelope(res, 408, 'REQUEST_TIMEOUT');
  assert.equal(ERROR_CATALOGUE.REQUEST_TIMEOUT.status, 408);
  assert.equal(clientErrorAnswer({ code: 'ECONNRESET' }, 'req_2'), null);
});
