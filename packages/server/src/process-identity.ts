/**
 * Who this process is, written so that another process on the same machine can tell whether it is still alive.
 *
 * Job leases (`jobs.locked_by`) and the blob store's temporary files carry this identity. When a server is killed
 * (SIGKILL, the OOM killer, a container stopped hard) and started again, it uses it to take the dead process's work
 * back at once instead of waiting for the lease (`JOB_LEASE_S`) to run out.
 *
 * An identity is `host:pid:start`: the host name (URI-encoded, so it holds no `:`), the pid, and a start token that
 * tells apart two processes that had the same pid. On Linux the start token is the kernel's boot id and the process's
 * start time in clock ticks since boot (field 22 of /proc/<pid>/stat), which any process on the machine can read for a
 * live pid; elsewhere it is a random token that only this process knows.
 *
 * Another process is *provably gone* when it ran on this host and
 *  - its pid is this process's pid with another start token (an earlier run: a container's server is pid 1 each time),
 *  - or no process has its pid (kill(pid, 0) fails with ESRCH), or that process is a zombie,
 *  - or (Linux, same boot) the process that has its pid now started at another time: the pid was reused.
 * Anything else — another host, a live pid that cannot be told apart, an id in another format — is not provably gone,
 * and the lease decides, as before. Processes sharing a DATA_DIR must therefore not share a host name unless they
 * share a pid namespace (containers get distinct host names by default). Were a live process taken for dead anyway,
 * its job would run twice but still finish once and be charged once (every generation transition is conditional).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export interface ProcessIdentity {
  host: string;
  pid: number;
  start: string;
}

interface ProcStat {
  state: string;
  startTicks: string;
}

/**
 * State and start time of a pid from /proc; null when it cannot be read (no /proc, the process just exited, or /proc
 * hides other users' processes: then nothing is concluded from it).
 */
function procStat(pid: number | 'self'): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so fields are counted after the last `)`.
  // There, field 3 (state) is at index 0 and field 22 (starttime) at index 19.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const startTicks = fields[19];
  if (!state || !startTicks || !/^\d+$/.test(startTicks)) return null;
  return { state, startTicks };
}

let bootId: string | null | undefined;
function readBootId(): string | null {
  if (bootId === undefined) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      bootId = null;
    }
  }
  return bootId;
}

const LINUX_START = /^([0-9a-f-]+)\.(\d+)$/;

let self: ProcessIdentity | undefined;

export function thisProcess(): ProcessIdentity {
  if (!self) {
    const stat = procStat('self');
    const boot = readBootId();
    const start = stat && boot ? `${boot}.${stat.startTicks}` : `r${randomBytes(8).toString('hex')}`;
    self = { host: encodeURIComponent(hostname()), pid: process.pid, start };
  }
  return self;
}

/** This process as a string: `host:pid:start`. Worker ids and temporary-file folders begin with it. */
export function thisProcessId(): string {
  const me = thisProcess();
  return `${me.host}:${me.pid}:${me.start}`;
}

/** The process part of an id that begins with a process id (`host:pid:start[:anything]`); null for other formats. */
export function parseProcessId(id: string): ProcessIdentity | null {
  const [host, pid, start] = id.split(':');
  if (!host || !pid || !/^\d+$/.test(pid) || !start) return null;
  const clean = start.split('#')[0]!;
  if (!clean) return null;
  return { host, pid: Number(pid), start: clean };
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Whether the process named at the start of `id` (a worker id, a temporary folder's name) is provably not running. */
export function isProcessGone(id: string): boolean {
  const other = parseProcessId(id);
  if (!other) return false;
  const me = thisProcess();
  if (other.host !== me.host) return false;
  if (other.pid === me.pid) return other.start !== me.start;
  if (!pidExists(other.pid)) return true;
  const stat = procStat(other.pid);
  if (stat === null) return false;
  if (stat.state === 'Z' || stat.state === 'X') return true; // exited, not yet reaped by its parent
  const linux = LINUX_START.exec(other.start);
  const boot = readBootId();
  return linux !== null && boot !== null && linux[1] === boot && linux[2] !== stat.startTicks;
}
