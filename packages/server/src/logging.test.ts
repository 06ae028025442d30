/** The batched log writer: every line, in order, flush() waiting for the writes, and what is queued at exit. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BatchedWriter } from './logging.js';

const dir = mkdtempSync(join(tmpdir(), 'fitroom-logging-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('writes every line in order, across turns and while a write is in flight; flush() waits for all of them', async () => {
  const file = join(dir, 'order.log');
  const fd = openSync(file, 'w');
  const writer = new BatchedWriter(fd);
  const expected: string[] = [];
  for (let turn = 0; turn < 50; turn++) {
    // Some turns queue more than a batch (64 KB), some a few lines.
    for (let i = 0; i < (turn % 2 ? 400 : 5); i++) {
      const line = `{"turn":${turn},"i":${i},"pad":"${'x'.repeat(200)}"}\n`;
      expected.push(line);
      writer.write(line);
    }
    await new Promise((r) => setImmediate(r));
  }
  await writer.flush();
  assert.equal(readFileSync(file, 'utf8'), expected.join(''));
  await writer.flush(); // nothing queued: resolves at once
  closeSync(fd);
});

test('what is still queued when the process exits is written', () => {
  const file = join(dir, 'exit.log');
  const module = fileURLToPath(new URL('./logging.ts', import.meta.url));
  const script = `
    import { openSync } from 'node:fs';
    const { BatchedWriter } = await import(${JSON.stringify(module)});
    const writer = new BatchedWriter(openSync(${JSON.stringify(file)}, 'w'));
    for (let i = 0; i < 1000; i++) writer.write('line ' + i + '\\n');
    process.exit(3); // before the event loop turns: nothing written yet
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  assert.equal(run.status, 3, run.stderr);
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  assert.equal(lines.length, 1000);
  assert.equal(lines[999], 'line 999');
});
