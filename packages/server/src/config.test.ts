import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { ConfigError, defaultEngineThreads, parseConfig } from './config.js';

test('ENGINE_THREADS follows the machine unless set: one thread per two cores, at least one', () => {
  assert.deepEqual([1, 2, 3, 4, 8, 16].map(defaultEngineThreads), [1, 1, 1, 2, 4, 8]);
  assert.equal(parseConfig({}).engineThreads, defaultEngineThreads(availableParallelism()));
  assert.equal(parseConfig({ ENGINE_THREADS: 'auto' }).engineThreads, defaultEngineThreads(availableParallelism()));
  assert.equal(parseConfig({ ENGINE_THREADS: '3' }).engineThreads, 3);
  assert.throws(() => parseConfig({ ENGINE_THREADS: 'many' }), /Invalid environment variable ENGINE_THREADS/);
  assert.throws(() => parseConfig({ ENGINE_THREADS: '0' }), ConfigError);
});

test('ENGINE_CHECKS is strict unless set to lenient; anything else stops the start', () => {
  assert.equal(parseConfig({}).engineChecks, 'strict');
  assert.equal(parseConfig({ ENGINE_CHECKS: 'lenient' }).engineChecks, 'lenient');
  assert.equal(parseConfig({ ENGINE_CHECKS: 'strict' }).engineChecks, 'strict');
  assert.throws(() => parseConfig({ ENGINE_CHECKS: 'off' }), /Invalid environment variable ENGINE_CHECKS/);
});

test('REDIS_URL puts the queue, rate limits and wake-ups in Redis, its password kept out of prints; bad values stop the start', () => {
  assert.equal(parseConfig({}).redis, null);
  const { redis } = parseConfig({ REDIS_URL: 'redis://:hunter2hunter2@cache.internal:6379/0' });
  assert.equal(redis?.url.reveal(), 'redis://:hunter2hunter2@cache.internal:6379/0');
  assert.equal(redis?.prefix, 'fitroom:');
  assert.ok(!JSON.stringify(parseConfig({ REDIS_URL: 'rediss://:hunter2hunter2@cache/0' })).includes('hunter2'));
  assert.equal(parseConfig({ REDIS_URL: 'redis://cache', REDIS_PREFIX: 'shop-eu:' }).redis?.prefix, 'shop-eu:');
  assert.throws(() => parseConfig({ REDIS_URL: 'http://cache:6379' }), /Invalid environment variable REDIS_URL/);
  assert.throws(() => parseConfig({ REDIS_URL: 'redis://cache', REDIS_PREFIX: 'a b' }), /REDIS_PREFIX/);
});

test('METRICS_TOKEN turns /metrics on; a short one stops the start', () => {
  assert.equal(parseConfig({}).metricsToken, null);
  assert.equal(parseConfig({ METRICS_TOKEN: 'x'.repeat(16) }).metricsToken?.reveal(), 'x'.repeat(16));
  assert.throws(() => parseConfig({ METRICS_TOKEN: 'short' }), /METRICS_TOKEN/);
});

test('DATABASE_URL selects PostgreSQL; unset keeps the SQLite file; another scheme stops the start', () => {
  assert.equal(parseConfig({}).databaseUrl, null);
  assert.equal(
    parseConfig({ DATABASE_URL: 'postgres://fitroom@db.internal:5432/fitroom' }).databaseUrl,
    'postgres://fitroom@db.internal:5432/fitroom',
  );
  assert.equal(parseConfig({ DATABASE_URL: 'postgresql://db/fitroom' }).databaseUrl, 'postgresql://db/fitroom');
  assert.throws(() => parseConfig({ DATABASE_URL: 'mysql://db/fitroom' }), /Invalid environment variable DATABASE_URL/);
  assert.throws(() => parseConfig({ DATABASE_URL: 'fitroom.sqlite' }), /Invalid environment variable DATABASE_URL/);
});
