#!/usr/bin/env node
// The one test command (`npm test`): lint, type-check (packages and bench/), then every `*.test.ts` under packages/ through
// node's built-in test runner, with TypeScript loaded by tsx and workspace packages resolved to their sources
// (the "development" export condition). Extra arguments are passed on as test files or filters.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
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
const status = run(
  process.execPath,
  ['--conditions=development', '--import', 'tsx', '--test', '--test-reporter=spec', ...files],
  { FITROOM_TEST: '1' },
);
process.exit(status);
