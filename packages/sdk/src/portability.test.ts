// The SDK must run on Node, Deno, Bun and edge runtimes, so its shipped sources may use only web-standard globals.
// This scans every non-test source file: no `node:` or bare Node built-in imports, no `require`, no `Buffer`, and
// `process` only as an optional-chained property (`host.process?.env`), which is how env.ts guards its one lookup.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { run } from './examples.test.support.js';

const srcDir = fileURLToPath(new URL('.', import.meta.url));

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    // Test files and their support files carry `.test.` and are not shipped (package.json "files").
    else if (name.endsWith('.ts') && !name.includes('.test.')) out.push(path);
  }
  return out;
}

/** Removes comments (so JSDoc may mention Buffer) while keeping string and template literals intact. */
function stripComments(src: string): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      i = end === -1 ? src.length : end + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === '\\' ? 2 : 1;
      out += src.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const NODE_BUILTINS =
  'assert|buffer|child_process|crypto|dns|events|fs|http|https|net|os|path|stream|timers|tls|url|util|worker_threads|zlib';

function portabilityProblems(src: string): string[] {
  const code = stripComments(src);
  const problems: string[] = [];
  if (/(from|import)\s*\(?\s*['"]node:/.test(code)) problems.push('imports a node: module');
  if (new RegExp(`(from|import)\\s*\\(?\\s*['"](${NODE_BUILTINS})(/[^'"]*)?['"]`).test(code)) {
    problems.push('imports a Node built-in');
  }
  if (/\brequire\s*\(/.test(code)) problems.push('uses require()');
  if (/\bBuffer\b/.test(code)) problems.push('uses Buffer');
  if (/\b__dirname\b|\b__filename\b/.test(code)) problems.push('uses __dirname/__filename');
  for (const m of code.matchAll(/(.?.)\bprocess\b(..)/g)) {
    // Allowed only as a guarded property read (`host.process?.env`) or an optional property's type declaration
    // (`process?: {…}` in the interface that types globalThis).
    const guardedRead = m[1]!.endsWith('.') && m[2] === '?.';
    const declaration = !m[1]!.endsWith('.') && m[2] === '?:';
    if (!guardedRead && !declaration) problems.push('uses process unguarded');
  }
  return problems;
}

describe('portability of the shipped sources', () => {
  const files = sourceFiles(srcDir);

  test('finds the sources it is meant to scan', () => {
    const names = files.map((f) => relative(srcDir, f));
    for (const expected of ['index.ts', 'client.ts', 'transport.ts', 'env.ts', 'resources/images.ts']) {
      assert.ok(names.includes(expected), `${expected} not scanned`);
    }
    assert.ok(!names.some((n) => n.includes('.test.')));
  });

  for (const file of files) {
    test(relative(srcDir, file), () => {
      assert.deepEqual(portabilityProblems(readFileSync(file, 'utf8')), []);
    });
  }

  test('the scanner catches what it must (so the checks above can fail)', () => {
    assert.deepEqual(portabilityProblems("import { readFile } from 'node:fs/promises';"), ['imports a node: module']);
    assert.deepEqual(portabilityProblems("import http from 'http';"), ['imports a Node built-in']);
    assert.deepEqual(portabilityProblems("const m = await import('node:crypto');"), ['imports a node: module']);
    assert.deepEqual(portabilityProblems('const b = Buffer.from("x");'), ['uses Buffer']);
    assert.deepEqual(portabilityProblems('const k = process.env.KEY;'), ['uses process unguarded']);
    assert.deepEqual(portabilityProblems('const k = process?.env.KEY;'), ['uses process unguarded']);
    assert.deepEqual(portabilityProblems('const k = globalThis.process.env.KEY;').length, 1);
    assert.deepEqual(portabilityProblems('const k = host.process?.env?.KEY;'), []);
    assert.deepEqual(portabilityProblems('// Buffer is a Uint8Array\n/** process.env */ const url = "http://x";'), []);
    assert.deepEqual(portabilityProblems('const s = "// not a comment"; Buffer;'), ['uses Buffer']);
  });
});

// The static scan above cannot see indirect uses; this runs the SDK with `process` gone, as on an edge runtime or in
// Deno without Node compatibility. (Buffer has to stay: Node's own fetch needs it internally; the scan covers the SDK.)
const WITHOUT_PROCESS = `
import http from 'node:http';
const srv = http.createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ creditBalance: 4, key: req.headers['x-api-key'] }));
});
await new Promise((r) => srv.listen(0, '127.0.0.1', r));
const base = 'http://127.0.0.1:' + srv.address().port + '/tryon/v1';
await fetch(base).then((r) => r.text()); // loads Node's fetch internals while process still exists
const { Fitroom } = await import(SDK_URL);
const realProcess = globalThis.process;
Object.defineProperty(globalThis, 'process', { value: undefined, configurable: true, writable: true });
let missingKey;
try { new Fitroom(); } catch (e) { missingKey = e.code; }
const credits = await new Fitroom({ apiKey: 'gk_edge', baseUrl: base }).account.credits();
globalThis.process = realProcess;
console.log(JSON.stringify({ missingKey, credits }));
srv.close();
`;

test('runs with no global process: env lookup degrades to "unset", requests work', async () => {
  const sdkUrl = new URL('./index.ts', import.meta.url).href;
  const script = WITHOUT_PROCESS.replace('SDK_URL', JSON.stringify(sdkUrl));
  const res = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    FITROOM_API_KEY: 'gk_should_not_be_seen',
  });
  assert.equal(res.code, 0, res.stderr);
  assert.deepEqual(JSON.parse(res.stdout.trim().split('\n').at(-1)!), {
    // FITROOM_API_KEY is set in the child's environment: not finding it proves process was really gone.
    missingKey: 'MISSING_API_KEY',
    credits: { creditBalance: 4, key: 'gk_edge' },
  });
});
