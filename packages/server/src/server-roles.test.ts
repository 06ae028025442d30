/**
 * `fitroom serve --role`: an API process takes try-ons and runs none; a worker process on the same database runs them
 * and serves no API. Here both run on one SQLite data directory (the embedded database allows a second process);
 * the scale-out tests do the same on PostgreSQL and Redis.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseConfig } from './config.js';
import { createServer, type RunningServer } from './server.js';
import { fixtureTryOn, postTryOn } from './testing/test-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('an API-only process queues try-ons; a worker-only process on the same database runs them and serves no API', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fitroom-roles-'));
  const config = parseConfig({ DATA_DIR: dataDir, PUBLIC_URL: 'http://127.0.0.1:1', WORKER_CONCURRENCY: '1' });
  const started: RunningServer[] = [];
  after(async () => {
    for (const s of started) await s.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const start = async (role: 'api' | 'worker') => {
    const server = await createServer(config, { role, logger: false, vision: false, sweepIntervalMs: 60_000 });
    started.push(server);
    return server;
  };

  const api = await start('api');
  assert.equal(api.worker, null, 'no try-on worker in an API process');
  const { apiKey } = await api.deps.accounts.create({ name: 'roles', credits: 5 });
  const [data, files] = fixtureTryOn({ title: 'mock' });
  const created = await postTryOn({ app: api.app, apiKey }, data, files);
  assert.equal(created.statusCode, 200, created.body);
  const { generationId } = created.json() as { generationId: string };
  const poll = async (server: RunningServer) =>
    server.app.inject({
      method: 'GET',
      url: `/tryon/v1/generations/${generationId}`,
      headers: { 'x-api-key': apiKey },
    });
  await sleep(1_000);
  assert.equal((await poll(api)).json().status, 'PENDING', 'nobody runs it yet');

  const worker = await start('worker');
  assert.ok(worker.worker);
  let status = '';
  for (const until = Date.now() + 20_000; Date.now() < until && status !== 'COMPLETED'; await sleep(200)) {
    status = (await poll(api)).json().status;
  }
  assert.equal(status, 'COMPLETED', 'the worker process ran it');

  const fromWorker = await poll(worker);
  assert.equal(fromWorker.statusCode, 404);
  assert.equal(fromWorker.json().code, 'NOT_FOUND');
  assert.equal(worker.app.pollFastPath.enabled, false);
  assert.equal((await worker.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  assert.equal((await worker.app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
});

test('a worker-only process with WORKER_CONCURRENCY=0 refuses to start', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fitroom-roles-'));
  try {
    const config = parseConfig({ DATA_DIR: dataDir, WORKER_CONCURRENCY: '0' });
    await assert.rejects(createServer(config, { role: 'worker', logger: false, vision: false }), /WORKER_CONCURRENCY/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
