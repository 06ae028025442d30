/**
 * Real fitroom servers for tests: a temporary DATA_DIR and a fresh account and key, on the embedded SQLite database,
 * or with FITROOM_TEST_DB=postgres on a fresh PostgreSQL database (test-database.ts), and with FITROOM_TEST_REDIS=1
 * with the queue, rate limits and wake-ups in Redis under a key prefix of their own (test-redis.ts): the same suites
 * run on the embedded deployment and on the scale-out one.
 * `createTestContext` is for `app.inject()` tests; `startTestServer` listens on 127.0.0.1 for real-HTTP tests
 * (the SDK's end-to-end suite, the example-app replay).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TryOnEngine } from '@fitroom/engine';
import { type Config, parseConfig } from '../config.js';
import type { LogOutput } from '../logging.js';
import { FILES_PATH } from '../paths.js';
import type { Clock } from '../ports/clock.js';
import type { PersonCropper } from '../ports/person-cropper.js';
import { createServer, type RunningServer } from '../server.js';
import { blobFiles } from './blob-audit.js';
import { readFixture } from './fixtures.js';
import { freePort } from './processes.js';
import { startS3Server } from './s3-server.js';
import { createPostgresTestDatabase, testDatabaseKind } from './test-database.js';
import { deleteRedisPrefix, newTestRedisPrefix, REDIS_TEST_URL, testRedisEnabled } from './test-redis.js';

export interface TestContextOptions {
  /** Blobs on local disk even when FITROOM_TEST_S3 puts every other test server's in a bucket. */
  localBlobs?: boolean;
  credits?: number;
  clock?: Clock;
  cropper?: PersonCropper | null;
  env?: Record<string, string>;
  /** Listen on 127.0.0.1 (a free port) instead of inject-only. */
  listen?: boolean;
  /** Start the vision worker threads (person-aware crop, composite engine). Off by default: slow to load. */
  vision?: boolean;
  /** Run try-on workers in the test server (default true). */
  workers?: boolean;
  extraEngines?: Map<string, TryOnEngine>;
  /** Log through this output (at LOG_LEVEL, `silent` unless `env` sets it); by default the server has no logger. */
  logOutput?: LogOutput;
}

export interface TestContext {
  server: RunningServer;
  app: RunningServer['app'];
  deps: RunningServer['deps'];
  config: Readonly<Config>;
  dataDir: string;
  /** What another process (the CLI) needs to work on this server's data: DATA_DIR, and DATABASE_URL on PostgreSQL. */
  dataEnv: Record<string, string>;
  apiKey: string;
  accountId: string;
  /** Base URL ending in /tryon/v1 (meaningful when listening). */
  baseUrl: string;
  /** Every blob key the server's store holds (temporary files aside): DATA_DIR/blobs, or the bucket. */
  blobKeys(): Promise<string[]>;
  /** Another account with its own key, for tenant-isolation tests. */
  newAccount(credits?: number): Promise<{ id: string; apiKey: string }>;
  close(): Promise<void>;
}

export async function createTestContext(options: TestContextOptions = {}): Promise<TestContext> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fitroom-test-'));
  const pgDatabase = testDatabaseKind() === 'postgres' ? await createPostgresTestDatabase() : null;
  const redisPrefix = testRedisEnabled() ? newTestRedisPrefix() : null;
  const bucket = testS3Enabled() && !options.localBlobs ? await startS3Server() : null;
  const dataEnv: Record<string, string> = {
    DATA_DIR: dataDir,
    ...(pgDatabase ? { DATABASE_URL: pgDatabase.url } : {}),
    ...(redisPrefix ? { REDIS_URL: REDIS_TEST_URL, REDIS_PREFIX: redisPrefix } : {}),
    ...(bucket ? bucket.env : {}),
  };
  const removeData = async () => {
    await pgDatabase?.drop();
    await bucket?.close();
    if (redisPrefix) await deleteRedisPrefix(redisPrefix);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const blobKeys = async () =>
      bucket ? bucket.listKeys() : blobFiles(join(dataDir, 'blobs')).filter((k) => !k.startsWith('.tmp/'));
    return await startTestContext(options, dataDir, dataEnv, removeData, blobKeys);
  } catch (err) {
    await removeData();
    throw err;
  }
}

async function startTestContext(
  options: TestContextOptions,
  dataDir: string,
  dataEnv: Record<string, string>,
  removeData: () => Promise<void>,
  blobKeys: () => Promise<string[]>,
): Promise<TestContext> {
  const port = options.listen ? await freePort() : 8080;
  const config = parseConfig({
    ...dataEnv,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'silent',
    DEMO_CREDITS: '0',
    WORKER_CONCURRENCY: '1',
    ENGINE_THREADS: '1',
    ENGINE: 'mock',
    ...options.env,
  });
  const server = await createServer(config, {
    clock: options.clock,
    ...(options.cropper !== undefined ? { cropper: options.cropper } : {}),
    logger: options.logOutput !== undefined,
    logOutput: options.logOutput,
    vision: options.vision ?? false,
    workers: options.workers ?? true,
    extraEngines: options.extraEngines,
  });
  if (options.listen) await server.app.listen({ port, host: '127.0.0.1' });
  const newAccount = async (credits = 100) => {
    const a = await server.deps.accounts.create({ name: 'test', credits });
    return { id: a.id, apiKey: a.apiKey };
  };
  const main = await newAccount(options.credits ?? 100);
  return {
    server,
    app: server.app,
    deps: server.deps,
    config,
    dataDir,
    dataEnv,
    apiKey: main.apiKey,
    accountId: main.id,
    baseUrl: server.url,
    newAccount,
    blobKeys,
    async close() {
      await server.close();
      await removeData();
    },
  };
}

/** A listening server for real-HTTP clients (used by the SDK's end-to-end tests). */
export async function startTestServer(options: Omit<TestContextOptions, 'listen'> = {}) {
  const ctx = await createTestContext({ ...options, listen: true });
  return { baseUrl: ctx.baseUrl, apiKey: ctx.apiKey, accountId: ctx.accountId, context: ctx, close: () => ctx.close() };
}

/** Builds a multipart/form-data body for `app.inject` (and fetch): text fields and files. */
export function multipart(
  parts: Array<
    { name: string; value: string } | { name: string; filename: string; contentType: string; data: Uint8Array }
  >,
) {
  const boundary = `----fitroom${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    if ('value' in p) {
      chunks.push(Buffer.from(`Content-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`));
    } else {
      chunks.push(
        Buffer.from(
          `Content-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\nContent-Type: ${p.contentType}\r\n\r\n`,
        ),
      );
      chunks.push(Buffer.from(p.data));
      chunks.push(Buffer.from('\r\n'));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** POST /images/upload through `app.inject`; `fields` are extra form fields (crop, keepForDays, …). */
export async function uploadPhoto(
  ctx: Pick<TestContext, 'app' | 'apiKey'>,
  data: Uint8Array,
  fields: Record<string, string> = {},
  apiKey = ctx.apiKey,
): Promise<{ status: number; body: { imageId: string; imageUrl: string } & Record<string, unknown> }> {
  const form = multipart([
    { name: 'file', filename: 'photo', contentType: 'application/octet-stream', data },
    ...Object.entries(fields).map(([name, value]) => ({ name, value })),
  ]);
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/tryon/v1/images/upload',
    headers: { 'x-api-key': apiKey, ...form.headers },
    payload: form.payload,
  });
  return { status: res.statusCode, body: res.json() };
}

/** GETs a signed URL the server handed out (imageUrl, resultImageUrl, sourceUrl) through `app.inject`. */
/** Whether test servers keep their blobs in an S3 bucket (FITROOM_TEST_S3=1: an s3rver of their own). */
export const testS3Enabled = (): boolean => process.env.FITROOM_TEST_S3 === '1';

/**
 * A signed URL fetched as a client would: through the server's files route (local store, by `app.inject`), or
 * straight from the bucket (S3 store, a presigned URL).
 */
export async function fetchSigned(ctx: Pick<TestContext, 'app'>, url: string): Promise<SignedFetch> {
  const u = new URL(url);
  if (!u.pathname.startsWith(FILES_PATH)) {
    const res = await fetch(url);
    const rawPayload = Buffer.from(await res.arrayBuffer());
    const headers: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return { statusCode: res.status, headers, rawPayload, body: rawPayload.toString('utf8') };
  }
  const res = await ctx.app.inject({ url: u.pathname + u.search });
  return { statusCode: res.statusCode, headers: res.headers, rawPayload: res.rawPayload, body: res.body };
}

/** What a client gets from a signed URL, whichever store served it. */
export interface SignedFetch {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  rawPayload: Buffer;
  body: string;
}

/**
 * POST /try-on (or /try-on/sync) as multipart through `app.inject`: the request JSON in `data`, each file part under
 * its fileKey.
 */
export function postTryOn(
  ctx: Pick<TestContext, 'app' | 'apiKey'>,
  data: unknown,
  files: Record<string, { filename: string; contentType: string; data: Uint8Array }> = {},
  { sync = false, apiKey = ctx.apiKey }: { sync?: boolean; apiKey?: string } = {},
) {
  const form = multipart([
    { name: 'data', value: JSON.stringify(data) },
    ...Object.entries(files).map(([name, file]) => ({ name, ...file })),
  ]);
  return ctx.app.inject({
    method: 'POST',
    url: `/tryon/v1/try-on${sync ? '/sync' : ''}`,
    headers: { 'x-api-key': apiKey, ...form.headers },
    payload: form.payload,
  });
}

/**
 * The request most try-on tests send: one product (`title`, and `externalId` when given) whose image is the flat-lay
 * cardigan, on woman-2's full-body photo, both as inline file parts. The `data` and `files` arguments of `postTryOn`.
 */
export function fixtureTryOn(product: { title: string; externalId?: string }) {
  const data = {
    products: [{ ...product, images: [{ source: { fileKey: 'g' } }] }],
    person: { image: { source: { fileKey: 'p' } } },
  };
  const files = {
    g: { filename: 'g.jpg', contentType: 'image/jpeg', data: readFixture('garment', 'upper-1.jpg') },
    p: { filename: 'p.png', contentType: 'image/png', data: readFixture('person', 'woman-2.png') },
  };
  return [data, files] as const;
}
