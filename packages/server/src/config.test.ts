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
