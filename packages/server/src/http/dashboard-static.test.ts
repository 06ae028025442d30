import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { parseConfig } from '../config.js';
import { createTestContext, type TestContext } from '../testing/test-server.js';
import { buildApp } from './app.js';
import { dashboardStatic, securityHeaders } from './dashboard-static.js';

const SCRIPT = `console.log(${JSON.stringify('x'.repeat(2000))});`;
const INDEX =
  '<!doctype html><html><head><script type="module" src="/dashboard/assets/app-1a2b.js"></script></head></html>';

function writeBuild(dir: string): void {
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets', 'app-1a2b.js'), SCRIPT);
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
}

describe('the dashboard at /dashboard', () => {
  let ctx: TestContext;
  let dist: string;
  let app: FastifyInstance;
  before(async () => {
    ctx = await createTestContext({ workers: false });
    dist = mkdtempSync(join(tmpdir(), 'fitroom-dashboard-'));
    writeBuild(dist);
    app = await buildApp(ctx.deps, { routes: [], plugins: [dashboardStatic({ distDir: dist })], logger: false });
  });
  after(async () => {
    await app?.close();
    await ctx?.close();
    rmSync(dist, { recursive: true, force: true });
  });

  test('index.html, revalidated, with the security headers', async () => {
    const res = await app.inject({ url: '/dashboard/' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, INDEX);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.equal(res.headers['cache-control'], 'no-cache');
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(res.headers['x-frame-options'], 'DENY');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
  });

  test('/dashboard redirects to /dashboard/', async () => {
    const res = await app.inject({ url: '/dashboard' });
    assert.equal(res.statusCode, 308);
    assert.equal(res.headers.location, '/dashboard/');
  });

  test('a client-side route gets index.html', async () => {
    for (const url of ['/dashboard/accounts', '/dashboard/accounts/acc_123?tab=keys', '/dashboard/generations/gen_1']) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.body, INDEX, url);
    }
  });

  test('hashed assets are cached for a year, gzipped when the client accepts it, and revalidate by etag', async () => {
    const plain = await app.inject({ url: '/dashboard/assets/app-1a2b.js' });
    assert.equal(plain.statusCode, 200);
    assert.equal(plain.body, SCRIPT);
    assert.match(String(plain.headers['content-type']), /^text\/javascript/);
    assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.headers['x-content-type-options'], 'nosniff');

    const gzipped = await app.inject({ url: '/dashboard/assets/app-1a2b.js', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gzipped.headers['content-encoding'], 'gzip');
    assert.ok(gzipped.rawPayload.length < SCRIPT.length);
    assert.equal(gunzipSync(gzipped.rawPayload).toString(), SCRIPT);

    const etag = String(plain.headers.etag);
    const again = await app.inject({ url: '/dashboard/assets/app-1a2b.js', headers: { 'if-none-match': etag } });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');

    const icon = await app.inject({ url: '/dashboard/favicon.svg' });
    assert.equal(icon.headers['content-type'], 'image/svg+xml');
    assert.equal(icon.headers['cache-control'], 'no-cache');
  });

  test('a missing file is a 404 in the envelope, not the app; nothing outside the build is reachable', async () => {
    for (const url of [
      '/dashboard/assets/app-gone.js',
      '/dashboard/logo.png',
      '/dashboard/%2e%2e/%2e%2e/package.json',
      '/dashboard/..%2f..%2fpackage.json',
    ]) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 404, url);
      assert.equal(res.json().code, 'NOT_FOUND', url);
      assert.equal(res.json().status, 404, url);
    }
  });

  test('without a build: an envelope error saying how to build; once built, served without a restart', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'fitroom-dashboard-'));
    const unbuilt = await buildApp(ctx.deps, {
      routes: [],
      plugins: [dashboardStatic({ distDir: empty })],
      logger: false,
    });
    try {
      const res = await unbuilt.inject({ url: '/dashboard/accounts' });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().code, 'NOT_FOUND');
      assert.match(res.json().message, /dashboard is not built.*npm run build/);
      writeBuild(empty);
      const built = await unbuilt.inject({ url: '/dashboard/accounts' });
      assert.equal(built.statusCode, 200);
      assert.equal(built.body, INDEX);
    } finally {
      await unbuilt.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test('the server serves the real build (npm run build made it) where it serves the API', async () => {
    const res = await ctx.app.inject({ url: '/dashboard/' });
    assert.equal(res.statusCode, 200, res.body);
    const script = /src="(\/dashboard\/assets\/[^"]+\.js)"/.exec(res.body)?.[1];
    assert.ok(script, 'index.html loads its script from /dashboard/assets/');
    assert.doesNotMatch(res.body.replace(/<script[^>]*src=[^>]*><\/script>/g, ''), /<script/, 'no inline script');
    const js = await ctx.app.inject({ url: script });
    assert.equal(js.statusCode, 200);
    assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
  });

  test('a worker-only process (no API routes) serves no dashboard', async () => {
    const workerApp = await buildApp(ctx.deps, { routes: [], logger: false });
    try {
      const res = await workerApp.inject({ url: '/dashboard/' });
      assert.equal(res.statusCode, 404);
      assert.match(res.json().message, /No route/);
    } finally {
      await workerApp.close();
    }
  });
});

describe('the dashboard Content-Security-Policy', () => {
  const imgSrc = (env: Record<string, string>) =>
    /img-src ([^;]+)/.exec(
      securityHeaders(parseConfig({ DATA_DIR: '/tmp/x', ...env }))['content-security-policy'] ?? '',
    )?.[1];

  test('images from this origin, picked files, and where signed file URLs point', () => {
    assert.equal(imgSrc({ PUBLIC_URL: 'https://tryon.example.com/' }), "'self' blob: https://tryon.example.com");
    const s3 = { S3_BUCKET: 'shots', S3_ACCESS_KEY_ID: 'id', S3_SECRET_ACCESS_KEY: 'secret' };
    assert.equal(
      imgSrc({ ...s3, S3_ENDPOINT: 'http://127.0.0.1:9000', S3_FORCE_PATH_STYLE: 'true' }),
      "'self' blob: http://127.0.0.1:9000",
    );
    assert.equal(imgSrc({ ...s3, S3_ENDPOINT: 'https://r2.example.net' }), "'self' blob: https://shots.r2.example.net");
    assert.equal(
      imgSrc({ ...s3, S3_REGION: 'eu-west-3' }),
      "'self' blob: https://shots.s3.eu-west-3.amazonaws.com https://shots.s3.amazonaws.com",
    );
  });
});
