/**
 * `fitroom mcp` end to end: the real CLI started by the official MCP SDK's client, over stdio and over Streamable
 * HTTP, working on a real fitroom server (in this process, listening on 127.0.0.1) through the fitroom SDK.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EngineError, type TryOnEngine } from '@fitroom/engine';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { fixturePath, readFixture } from '../testing/fixtures.js';
import { type ImageServer, startImageServer } from '../testing/image-server.js';
import { freePort, type StartedProcess, startProcess } from '../testing/processes.js';
import { createTestContext, type TestContext } from '../testing/test-server.js';
import { McpHttpConfigError, startMcpHttpServer } from './http.js';

const main = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../../..');
const TOOL_NAMES = ['upload_photo', 'try_on', 'get_generation', 'list_products', 'get_credits'];

/** The environment of a spawned `fitroom mcp`, without any key or base URL this test process happens to have. */
function childEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !/^(FITROOM|GENLOOK)_(API_KEY|BASE_URL)$/.test(k)) env[k] = v;
  }
  return { ...env, LOG_LEVEL: 'silent', ...extra };
}

type Structured = Record<string, unknown>;
const call = async (client: Client, name: string, args: Record<string, unknown> = {}) =>
  (await client.callTool({ name, arguments: args })) as CallToolResult & { structuredContent: Structured };

describe('fitroom mcp', () => {
  let ctx: TestContext;
  let images: ImageServer;
  let refusingKey: string;

  /** Refuses every photo, as an engine refuses a seated person: the generation FAILS and its credit comes back. */
  const refusing: TryOnEngine = {
    name: 'refusing',
    async tryOn() {
      throw new EngineError('UNSUPPORTED_POSE', 'The person appears to be seated.');
    },
    async close() {},
  };

  /** Holds every try-on until `release()`: a generation still running when try_on stops waiting. */
  let release: () => void = () => {};
  const held = new Promise<void>((r) => {
    release = r;
  });
  let gateKey: string;
  const gate: TryOnEngine = {
    name: 'gate',
    async tryOn(input) {
      await held;
      return { image: input.person, contentType: 'image/png', width: 0, height: 0 };
    },
    async close() {},
  };

  before(async () => {
    images = await startImageServer({
      '/tee.jpg': { data: readFixture('garment', 'upper-1.jpg') },
      '/me.jpg': { data: readFixture('person', 'woman-1.jpg') },
    });
    // The server downloads the garment from the local image server: private addresses allowed for this test server.
    ctx = await createTestContext({
      listen: true,
      env: { ALLOW_PRIVATE_FETCH: 'true' },
      extraEngines: new Map([
        ['refusing', refusing],
        ['gate', gate],
      ]),
    });
    const other = await ctx.newAccount(5);
    await ctx.deps.accounts.update(other.id, { engine: 'refusing' });
    refusingKey = other.apiKey;
    const gated = await ctx.newAccount(5);
    await ctx.deps.accounts.update(gated.id, { engine: 'gate' });
    gateKey = gated.apiKey;
  });
  after(async () => {
    release();
    await ctx.close();
    await images.close();
  });

  const credits = async (key = ctx.apiKey) =>
    (await ctx.app.inject({ url: '/tryon/v1/account/credits', headers: { 'x-api-key': key } })).json()
      .creditBalance as number;

  describe('over stdio (the official SDK client starts `fitroom mcp`)', () => {
    let client: Client;
    let transport: StdioClientTransport;
    let stderr = '';

    before(async () => {
      transport = new StdioClientTransport({
        command: process.execPath,
        args: ['--conditions=development', '--import', 'tsx', main, 'mcp'],
        cwd: repoRoot,
        env: childEnv({ FITROOM_API_KEY: ctx.apiKey, FITROOM_BASE_URL: ctx.baseUrl }),
        stderr: 'pipe',
      });
      transport.stderr?.on('data', (d) => {
        stderr += d;
      });
      client = new Client({ name: 'fitroom-test', version: '1.0.0' });
      await client.connect(transport);
    });
    after(async () => {
      await client.close();
    });

    test('lists the five tools, each with its input schema and a description', async () => {
      const { tools } = await client.listTools();
      assert.deepEqual(
        tools.map((t) => t.name),
        TOOL_NAMES,
      );
      const upload = tools.find((t) => t.name === 'upload_photo')!;
      assert.deepEqual(Object.keys(upload.inputSchema.properties ?? {}).slice(0, 3), ['path', 'url', 'base64']);
      const tryOn = tools.find((t) => t.name === 'try_on')!;
      assert.ok(tryOn.inputSchema.properties?.productExternalId && tryOn.inputSchema.properties?.personImageId);
      assert.equal(tools.find((t) => t.name === 'get_credits')?.annotations?.readOnlyHint, true);
      for (const t of tools) assert.ok((t.description ?? '').length > 40, t.name);
      assert.equal(client.getServerVersion()?.name, 'fitroom');
    });

    test('a mock try-on through the tools: upload by path, try on, check it, list products, credits', async () => {
      const before = await credits();
      const uploaded = await call(client, 'upload_photo', { path: fixturePath('person', 'woman-2.png') });
      assert.equal(uploaded.isError, undefined, JSON.stringify(uploaded.content));
      const imageId = uploaded.structuredContent.imageId as string;
      assert.ok(imageId);

      // A product titled exactly `mock` runs the mock engine (the result is the person photo); saved under its id.
      const progress: string[] = [];
      const tried = (await client.callTool(
        {
          name: 'try_on',
          arguments: {
            personImageId: imageId,
            productExternalId: 'mcp-tee',
            productImageUrl: images.url('/tee.jpg'),
            productTitle: 'mock',
          },
        },
        undefined,
        { onprogress: (p) => progress.push(p.message ?? '') },
      )) as CallToolResult & { structuredContent: Structured };
      assert.equal(tried.isError, undefined, JSON.stringify(tried.content));
      const g = tried.structuredContent;
      assert.equal(g.status, 'COMPLETED');
      assert.equal(g.productExternalId, 'mcp-tee');
      assert.match(String(g.resultImageUrl), /^http:\/\/127\.0\.0\.1:/);
      assert.ok(progress.length >= 1, 'progress reported to a caller that asked for it');
      // The result is small, so it comes along as image content: the person photo, as the mock engine returns it.
      const image = tried.content.find((c) => c.type === 'image');
      assert.ok(image && image.type === 'image', 'image content attached');
      const served = Buffer.from(await (await fetch(String(g.resultImageUrl))).arrayBuffer());
      assert.ok(Buffer.from(image.data, 'base64').equals(served));
      assert.equal(image.mimeType.startsWith('image/'), true);
      assert.equal(await credits(), before - 1, 'one credit');

      const checked = await call(client, 'get_generation', { generationId: g.generationId });
      assert.equal(checked.structuredContent.status, 'COMPLETED');
      assert.equal(checked.structuredContent.generationId, g.generationId);

      // The product is in the catalogue now, and a try-on by its id alone works.
      const listed = await call(client, 'list_products', { limit: 10 });
      const items = listed.structuredContent.items as Array<{ externalId: string; title: string }>;
      assert.deepEqual(
        items.filter((p) => p.externalId === 'mcp-tee').map((p) => p.title),
        ['mock'],
      );
      const again = await call(client, 'try_on', { personImageId: imageId, productExternalId: 'mcp-tee' });
      assert.equal(again.structuredContent.status, 'COMPLETED');

      const balance = await call(client, 'get_credits');
      assert.deepEqual(balance.structuredContent, { creditBalance: before - 2 });
    });

    test('a photo as base64 (or a data: URL) uploads too', async () => {
      const b64 = readFixture('person', 'woman-1.jpg').toString('base64');
      for (const base64 of [b64, `data:image/jpeg;base64,${b64}`]) {
        const res = await call(client, 'upload_photo', { base64, crop: false });
        assert.equal(res.isError, undefined, JSON.stringify(res.content));
        assert.match(String(res.structuredContent.imageId), /\S/);
      }
    });

    test("errors are tool errors carrying fitroom's code", async () => {
      const unknown = await call(client, 'try_on', {
        personImageUrl: images.url('/me.jpg'),
        productExternalId: 'nope',
      });
      assert.equal(unknown.isError, true);
      assert.equal(unknown.structuredContent.errorCode, 'PRODUCT_NOT_FOUND');
      assert.equal(unknown.structuredContent.status, 404);
      assert.match((unknown.content[0] as { text: string }).text, /^PRODUCT_NOT_FOUND: /);

      const missing = await call(client, 'get_generation', { generationId: 'gen_doesnotexist' });
      assert.equal(missing.structuredContent.errorCode, 'GENERATION_NOT_FOUND');

      const two = await call(client, 'upload_photo', { path: fixturePath('person', 'man-1.png'), base64: 'AAAA' });
      assert.equal(two.structuredContent.errorCode, 'VALIDATION_FAILED');
      const noFile = await call(client, 'upload_photo', { path: '/nonexistent/photo.jpg' });
      assert.equal(noFile.structuredContent.errorCode, 'FILE_REQUIRED');
      // Any other file stays on this machine: refused before anything is sent.
      const blobs = (await ctx.blobKeys()).length;
      const notPhoto = await call(client, 'upload_photo', { path: join(repoRoot, 'package.json') });
      assert.equal(notPhoto.structuredContent.errorCode, 'INVALID_IMAGE');
      assert.match(String(notPhoto.structuredContent.message), /nothing was uploaded/);
      assert.equal((await ctx.blobKeys()).length, blobs);

      // The MCP server downloads photo URLs only from public addresses (here: the local image server).
      const hits = images.hits.get('/me.jpg') ?? 0;
      const local = await call(client, 'upload_photo', { url: images.url('/me.jpg') });
      assert.equal(local.structuredContent.errorCode, 'CUSTOMER_IMAGE_FETCH_FAILED');
      assert.match(String(local.structuredContent.message), /not a public address/);
      assert.equal(images.hits.get('/me.jpg') ?? 0, hits, 'no request left for it');

      // Input the tool's schema refuses never reaches fitroom.
      const bad = await call(client, 'try_on', { personImageId: 'x', productExternalId: 'y', waitSeconds: -1 });
      assert.equal(bad.isError, true);
      assert.match((bad.content[0] as { text: string }).text, /waitSeconds/);
    });

    test('never writes the API key to its output', () => {
      assert.match(stderr, /ready on stdio/);
      assert.ok(!stderr.includes(ctx.apiKey));
    });
  });

  test('`fitroom mcp` without FITROOM_API_KEY says so and exits 2', async () => {
    const res = await promisify(execFile)(
      process.execPath,
      ['--conditions=development', '--import', 'tsx', main, 'mcp'],
      { cwd: repoRoot, env: childEnv({}), encoding: 'utf8' },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code: number; stderr: string }) => err,
    );
    assert.equal(res.code, 2);
    assert.match(res.stderr, /FITROOM_API_KEY is not set/);
  });

  describe('over Streamable HTTP (`fitroom mcp --http`)', () => {
    let proc: StartedProcess;
    let url: string;

    const connect = async (key: string | undefined) => {
      const client = new Client({ name: 'fitroom-test', version: '1.0.0' });
      const headers: Record<string, string> = key ? { authorization: `Bearer ${key}` } : {};
      await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
      return client;
    };

    before(async () => {
      const port = await freePort();
      proc = await startProcess(
        main,
        ['mcp', '--http', '--port', String(port)],
        childEnv({ FITROOM_BASE_URL: ctx.baseUrl }),
        repoRoot,
      );
      url = `http://127.0.0.1:${port}/mcp`;
    });
    after(() => proc.stop());

    test('each caller works with its own key: a mock try-on, and a failed one with its code, refunded', async () => {
      const client = await connect(ctx.apiKey);
      assert.deepEqual(
        (await client.listTools()).tools.map((t) => t.name),
        TOOL_NAMES,
      );
      const base64 = readFixture('person', 'woman-1.jpg').toString('base64');
      const uploaded = await call(client, 'upload_photo', { base64 });
      const imageId = uploaded.structuredContent.imageId as string;
      const tried = await call(client, 'try_on', {
        personImageId: imageId,
        productImageUrl: images.url('/tee.jpg'),
        productTitle: 'mock',
      });
      assert.equal(tried.structuredContent.status, 'COMPLETED', JSON.stringify(tried.content));
      assert.match(String(tried.structuredContent.productExternalId), /^_anon_/, 'a one-shot product');

      // Over HTTP no caller may read the MCP host's files.
      const byPath = await call(client, 'upload_photo', { path: fixturePath('person', 'woman-1.jpg') });
      assert.equal(byPath.structuredContent.errorCode, 'VALIDATION_FAILED');
      assert.match(String(byPath.structuredContent.message), /reads no local files/);
      await client.close();

      // Another account, whose engine refuses the photo: the generation fails, the tool error carries its code.
      const other = await connect(refusingKey);
      const otherUpload = await call(other, 'upload_photo', { base64 });
      const failed = await call(other, 'try_on', {
        personImageId: otherUpload.structuredContent.imageId,
        productImageUrl: images.url('/tee.jpg'),
        productTitle: 'a tee',
      });
      assert.equal(failed.isError, true);
      assert.equal(failed.structuredContent.errorCode, 'UNSUPPORTED_POSE');
      assert.equal(failed.structuredContent.refunded, true);
      assert.equal(await credits(refusingKey), 5, 'the credit came back');
      const own = await call(other, 'get_credits');
      assert.deepEqual(own.structuredContent, { creditBalance: 5 }, "the caller's account, not another's");
      await other.close();
      assert.ok(!proc.output().includes(ctx.apiKey) && !proc.output().includes(refusingKey), 'no key in its output');
    });

    test('refuses callers without a key, other Host names, and methods other than POST', async () => {
      const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: {} };
      const post = (headers: Record<string, string>) =>
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
          body: JSON.stringify(init),
        });
      const noKey = await post({});
      assert.equal(noKey.status, 401);
      assert.match(noKey.headers.get('www-authenticate') ?? '', /^Bearer/);
      assert.match((await noKey.json()).error.message, /No API key/);
      await assert.rejects(connect(undefined), /401|No API key/);

      // DNS rebinding: a page on another name resolving to 127.0.0.1 sends that name as its Host.
      const rebound = await new Promise<number>((resolve, reject) => {
        const req = request(url, {
          method: 'POST',
          headers: { host: 'evil.example', authorization: `Bearer ${ctx.apiKey}` },
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(JSON.stringify(init));
      });
      assert.equal(rebound, 403);
      assert.equal(
        (await post({ authorization: `Bearer ${ctx.apiKey}`, host: `localhost:${new URL(url).port}` })).status,
        200,
      );
      assert.equal((await fetch(url)).status, 405);
      assert.equal((await fetch(url.replace('/mcp', '/other'), { method: 'POST' })).status, 404);
    });
  });

  test('HTTP: a key from the environment only on a loopback address; URL uploads go through the safe fetch', async () => {
    await assert.rejects(
      startMcpHttpServer({ host: '0.0.0.0', port: 0, apiKey: 'gk_secret', baseUrl: ctx.baseUrl }),
      (err: Error) => err instanceof McpHttpConfigError && !err.message.includes('gk_secret'),
    );
    // In-process, with private addresses allowed (the local image server), and the environment's key.
    const running = await startMcpHttpServer({
      host: '127.0.0.1',
      port: 0,
      apiKey: ctx.apiKey,
      baseUrl: ctx.baseUrl,
      allowPrivateUrls: true,
      onError: () => {},
    });
    try {
      const client = new Client({ name: 'fitroom-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(running.url)));
      const hits = images.hits.get('/me.jpg') ?? 0;
      const res = await call(client, 'upload_photo', { url: images.url('/me.jpg') });
      assert.equal(res.isError, undefined, JSON.stringify(res.content));
      assert.ok(res.structuredContent.imageId);
      assert.equal(images.hits.get('/me.jpg'), hits + 1);
      const missing = await call(client, 'upload_photo', { url: images.url('/missing.jpg') });
      assert.equal(missing.structuredContent.errorCode, 'CUSTOMER_IMAGE_FETCH_FAILED');
      await client.close();
    } finally {
      await running.close();
    }
  });

  test('try_on stops waiting after waitSeconds with the generation still running; get_generation follows it', async () => {
    const running = await startMcpHttpServer({ host: '127.0.0.1', port: 0, baseUrl: ctx.baseUrl, onError: () => {} });
    try {
      const client = new Client({ name: 'fitroom-test', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(running.url), {
          requestInit: { headers: { authorization: `Bearer ${gateKey}` } },
        }),
      );
      const uploaded = await call(client, 'upload_photo', {
        base64: readFixture('person', 'woman-1.jpg').toString('base64'),
      });
      const started = Date.now();
      const waiting = await call(client, 'try_on', {
        personImageId: uploaded.structuredContent.imageId,
        productImageUrl: images.url('/tee.jpg'),
        productTitle: 'a tee',
        waitSeconds: 1,
      });
      assert.equal(waiting.isError, undefined, JSON.stringify(waiting.content));
      assert.ok(Date.now() - started < 10_000);
      assert.match(String(waiting.structuredContent.status), /^(PENDING|PROCESSING)$/);
      assert.match(String(waiting.structuredContent.next), /get_generation/);
      const generationId = waiting.structuredContent.generationId as string;
      release();
      let status = '';
      for (let i = 0; i < 100 && status !== 'COMPLETED'; i++) {
        status = String((await call(client, 'get_generation', { generationId })).structuredContent.status);
        if (status !== 'COMPLETED') await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(status, 'COMPLETED');
      await client.close();
    } finally {
      await running.close();
    }
  });

  test('no fitroom API at FITROOM_BASE_URL: a CONNECTION_ERROR tool error naming the address', async () => {
    const port = await freePort(); // nothing listens there
    const baseUrl = `http://127.0.0.1:${port}/tryon/v1`;
    const running = await startMcpHttpServer({
      host: '127.0.0.1',
      port: 0,
      apiKey: 'gk_x',
      baseUrl,
      onError: () => {},
    });
    try {
      const client = new Client({ name: 'fitroom-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(running.url)));
      const res = await call(client, 'get_credits');
      assert.equal(res.isError, true);
      assert.equal(res.structuredContent.errorCode, 'CONNECTION_ERROR');
      assert.ok(String(res.structuredContent.message).includes(baseUrl));
      await client.close();
    } finally {
      await running.close();
    }
  });
});
