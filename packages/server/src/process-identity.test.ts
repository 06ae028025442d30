import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { isProcessGone, parseProcessId, thisProcess, thisProcessId } from './process-identity.js';

const host = encodeURIComponent(hostname());
const linux = existsSync('/proc/self/stat') && existsSync('/proc/sys/kernel/random/boot_id');
const bootId = linux ? readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() : '';
const startTicks = (pid: number) => {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ')[19]!;
};

/** A pid that was running a moment ago and no longer is (its process exited and was reaped). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => child.once('exit', r));
  return child.pid!;
}

/** A process that stays alive until killed. */
function liveProcess() {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
  return { pid: child.pid!, kill: () => child.kill('SIGKILL') };
}

test('this process is not gone, whatever is appended to its id (worker instances, loops)', () => {
  const id = thisProcessId();
  assert.deepEqual(parseProcessId(`${id}:abc123#3`), thisProcess());
  assert.equal(isProcessGone(id), false);
  assert.equal(isProcessGone(`${id}:abc123#0`), false);
});

test('a process whose pid no longer runs is gone; not on another host, and not for ids in another format', async () => {
  const pid = await deadPid();
  assert.equal(isProcessGone(`${host}:${pid}:r0123#0`), true);
  assert.equal(isProcessGone(`other-host:${pid}:r0123#0`), false, 'another host: its pids mean nothing here');
  for (const id of ['', 'worker-1', `${host}:notapid:x`, `${host}:${pid}`]) assert.equal(isProcessGone(id), false, id);
});

test("an earlier process with this process's pid is gone (a container's server is pid 1 on every start)", () => {
  assert.equal(isProcessGone(`${host}:${process.pid}:r-an-earlier-run:w1#0`), true);
});

test('a live process is not gone; a live pid that started at another time is another process (pid reused)', async (t) => {
  const other = liveProcess();
  try {
    assert.equal(isProcessGone(`${host}:${other.pid}:r0123:w1#0`), false, 'live, and nothing tells it apart');
    if (!linux) return t.skip('no /proc: start times cannot be read');
    const ticks = startTicks(other.pid);
    assert.equal(isProcessGone(`${host}:${other.pid}:${bootId}.${ticks}:w1#0`), false);
    assert.equal(isProcessGone(`${host}:${other.pid}:${bootId}.${Number(ticks) + 1}:w1#0`), true);
    assert.equal(
      isProcessGone(`${host}:${other.pid}:00000000-0000-0000-0000-000000000000.1:w1#0`),
      false,
      'another boot',
    );
  } finally {
    other.kill();
  }
});

test('a zombie (exited, not yet reaped by its parent) is gone', async (t) => {
  if (!linux) return t.skip('no /proc');
  // The shell execs `sleep 30`, which inherits the backgrounded `sleep 1` as its child and never reaps it. (The
  // second keeps the child alive past the exec: a shell may reap a child that exits before it execs.)
  const parent = spawn('sh', ['-c', 'sleep 1 & echo $!; exec sleep 30']);
  try {
    const pid = Number(await new Promise<string>((r) => parent.stdout.once('data', (d) => r(String(d)))));
    let state = '';
    for (let i = 0; i < 1000 && state !== 'Z'; i++) {
      const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
      state = text.slice(text.lastIndexOf(')') + 2).split(' ')[0]!;
      if (state !== 'Z') await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(state, 'Z');
    assert.equal(isProcessGone(`${host}:${pid}:${bootId}.${startTicks(pid)}:w1#0`), true);
  } finally {
    parent.kill('SIGKILL');
  }
});
