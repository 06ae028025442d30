#!/usr/bin/env node
// The one test command (`npm test`): lint, type-check (packages and bench/), then every `*.test.ts` under packages/ through
// node's built-in test runner, with TypeScript loaded by tsx and workspace packages resolved to their sources
// (the "development" export condition). Extra arguments are passed on as test files or filters.
//
// Without test files named, a second pass runs the suites that work on a database of their own (the API, flow, CLI,
// queue and SDK suites) again on PostgreSQL (FITROOM_TEST_DB=postgres, packages/server/src/testing/test-database.ts),
// on the server at PG_TEST_URL. When none answers there, that pass fails under CI and is skipped, saying so, elsewhere.
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
console.log(`\nSQLite pass: ${status === 0 ? 'passed' : 'FAILED'}; PostgreSQL pass: ${postgresStatus.summary}`);
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

async function postgresPass(testFiles) {
  const url = new URL(process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const where = `${url.hostname}:${url.port || 5432}`;
  if (!(await accepts(url.hostname, Number(url.port || 5432)))) {
    if (process.env.CI) {
      console.error(`\nThe PostgreSQL pass cannot run: nothing answers at ${where} (PG_TEST_URL), and CI is set.`);
      return { failed: true, summary: `FAILED (no PostgreSQL at ${where})` };
    }
    console.log(`\nPostgreSQL pass skipped: nothing answers at ${where} (PG_TEST_URL). Under CI this fails.`);
    return { failed: false, summary: `skipped (no PostgreSQL at ${where})` };
  }
  const suites = databaseSuites(testFiles);
  console.log(`\nPostgreSQL pass: ${suites.length} suites again, each server on a database of its own at ${where}\n`);
  const failed = runTests(suites, { FITROOM_TEST_DB: 'postgres' }) !== 0;
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
