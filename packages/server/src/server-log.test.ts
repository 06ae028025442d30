/**
 * The log of `fitroom serve` as an operator runs it (a real process, default LOG_LEVEL and HOST): every request is
 * logged, through the polling fast path as through Fastify, and a SIGTERM right after the last answer loses no line
 * of the asynchronous log destination. One "Server listening" line on start.
 *
 * SQLite only (not in npm test's PostgreSQL pass): it is about the log lines, whatever the database.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort } from './testing/processes.js';

const cli = fileURLToPath(new URL('./cli/main.ts', import.meta.url));

test('fitroom serve: every request line is written, also on SIGTERM right after the last answer', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fitroom-log-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), VISION: 'off' };
  delete env.LOG_LEVEL; // the default (info)
  delete env.HOST; // the default (0.0.0.0)
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', cli, 'serve'], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    while (!out.includes('fitroom listening on')) {
      const code = await Promise.race([exited, new Promise((r) => setTimeout(r, 50, 'running'))]);
      assert.equal(code, 'running', `fitroom serve exited:\n${out}`);
    }
    const apiKey = /\b(gk_[A-Za-z0-9_-]+)/.exec(out)![1]!; // the demo account's key, printed on the first start
    const api = `http://127.0.0.1:${port}/tryon/v1`;

    // The log's reader falls behind (as a busy log collector would): the pipe fills up and the server's writes wait,
    // so lines are still queued or being written when SIGTERM comes. The server answers all the same.
    child.stdout.pause();
    // Polls (the fast path: 404 for an unknown id, then 429 past the default 100 per minute) and a Fastify route.
    const paths = Array.from({ length: 300 }, (_, i) => (i % 3 === 2 ? '/account/credits' : `/generations/gen_${i}`));
    const reqIds: string[] = [];
    const statuses = new Set<number>();
    for (let i = 0; i < paths.length; i += 10) {
      await Promise.all(
        paths.slice(i, i + 10).map(async (path) => {
          const res = await fetch(`${api}${path}`, { headers: { 'x-api-key': apiKey } });
          await res.text();
          statuses.add(res.status);
          reqIds.push(res.headers.get('x-request-id')!);
        }),
      );
    }
    assert.deepEqual([...statuses].sort(), [200, 404, 429]);
    child.kill('SIGTERM');
    // The reader catches up only once the server has had time to close: lines still queued or being written then
    // are lost unless the server waits for them.
    await new Promise((r) => setTimeout(r, 500));
    child.stdout.resume();
    assert.equal(await exited, 0, out);

    const lines = out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; reqId?: string; addresses?: string[] });
    const count = (msg: string) => {
      const seen = new Map<string, number>();
      for (const l of lines) if (l.msg === msg && l.reqId) seen.set(l.reqId, (seen.get(l.reqId) ?? 0) + 1);
      return seen;
    };
    // One line per request at info: `request completed` (`incoming request` is a debug line).
    const completed = count('request completed');
    assert.equal(completed.size, reqIds.length, `${completed.size} requests logged of ${reqIds.length}`);
    for (const id of reqIds) assert.equal(completed.get(id), 1, `request completed for ${id}`);
    assert.equal(count('incoming request').size, 0);

    // Fastify logs a "Server listening" line per address, and 0.0.0.0 is one address per network interface.
    const listening = lines.filter((l) => l.msg.startsWith('Server listening'));
    assert.equal(listening.length, 1, listening.map((l) => l.msg).join('\n'));
    const interfaces = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
    const expected = interfaces.filter((i) => i.family === 'IPv4').map((i) => `http://${i.address}:${port}`);
    assert.deepEqual([...listening[0]!.addresses!].sort(), expected.sort());
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
