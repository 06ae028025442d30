#!/usr/bin/env node
// The one test command (`npm test`): lint, type-check (packages and bench/), then every `*.test.ts` under packages/ through
// node's built-in test runner, with TypeScript loaded by tsx and workspace packages resolved to their sources
// (the "development" export condition). Extra arguments are passed on as test files or filters.
//
// Without test files named, a second pass (the scale-out pass) runs the suites that work on a database of their own
// (the API, flow, CLI, queue and SDK suites) again on PostgreSQL, Redis and an S3 bucket (FITROOM_TEST_DB=postgres,
// FITROOM_TEST_REDIS=1 and FITROOM_TEST_S3=1: packages/server/src/testing/test-database.ts, test-redis.ts and an
// s3rver per server), on the servers at PG_TEST_URL and REDIS_TEST_URL. When one does not answer, that pass fails
// under CI and is skipped, saying so, elsewhere.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '../..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const explicit = args.filter((a) => !a.startsWith('--'));

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

function run(cmd, cmdArgs, env = {}) {
  const res = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return res.status ?? 1;
}

if (!quick) {
  if (run('npx', ['biome', 'check', '.']) !== 0) process.exit(1);
  if (run('npx', ['tsc', '-b']) !== 0) process.exit(1);
  // The benchmarks are not part of a package build; type-check them too.
  if (run('npx', ['tsc', '-p', 'bench/tsconfig.json']) !== 0) process.exit(1);
}
const files = explicit.length > 0 ? explicit : findTests(join(root, 'packages')).sort();
const status = runTests(files, {});
if (explicit.length > 0) process.exit(status);
const postgresStatus = await postgresPass(files);
console.log(
  `\nSQLite pass: ${status === 0 ? 'passed' : 'FAILED'}; scale-out pass (PostgreSQL, Redis, S3): ${postgresStatus.summary}`,
);
process.exit(status !== 0 || postgresStatus.failed ? 1 : 0);

function runTests(testFiles, env) {
  return run(
    process.execPath,
    ['--conditions=development', '--import', 'tsx', '--test', '--test-reporter=spec', ...testFiles],
    { FITROOM_TEST: '1', ...env },
  );
}

/** The test files whose servers or databases follow FITROOM_TEST_DB (they use the test-server or test-database helpers). */
function databaseSuites(testFiles) {
  return testFiles.filter((f) =>
    /\b(createTestContext|startTestServer|testDatabaseKind)\b/.test(readFileSync(join(root, f), 'utf8')),
  );
}

/**
 * The scale-out pass: the suites whose servers follow FITROOM_TEST_DB and FITROOM_TEST_REDIS again, each server on a
 * PostgreSQL database of its own and with its queue, rate limits and wake-ups in Redis under a prefix of its own.
 */
async function postgresPass(testFiles) {
  const pg = new URL(process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const redis = new URL(process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379');
  const services = [
    { name: 'PostgreSQL', variable: 'PG_TEST_URL', host: pg.hostname, port: Number(pg.port || 5432) },
    { name: 'Redis', variable: 'REDIS_TEST_URL', host: redis.hostname, port: Number(redis.port || 6379) },
  ];
  for (const { name, variable, host, port } of services) {
    if (await accepts(host, port)) continue;
    const where = `${host}:${port}`;
    if (process.env.CI) {
      console.error(`\nThe scale-out pass cannot run: no ${name} answers at ${where} (${variable}), and CI is set.`);
      return { failed: true, summary: `FAILED (no ${name} at ${where})` };
    }
    console.log(`\nScale-out pass skipped: no ${name} answers at ${where} (${variable}). Under CI this fails.`);
    return { failed: false, summary: `skipped (no ${name} at ${where})` };
  }
  const suites = databaseSuites(testFiles);
  console.log(
    `\nScale-out pass: ${suites.length} suites again, each server on a PostgreSQL database, a Redis prefix and an S3 bucket of its own\n`,
  );
  const failed = runTests(suites, { FITROOM_TEST_DB: 'postgres', FITROOM_TEST_REDIS: '1', FITROOM_TEST_S3: '1' }) !== 0;
  return { failed, summary: failed ? 'FAILED' : 'passed' };
}

/** Whether a TCP connection to host:port is accepted within 3 s. */
function accepts(host, port) {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 3000 });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
