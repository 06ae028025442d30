/**
 * Shared helpers for the benchmarks. Every benchmark measures fitroom against a baseline in the same run, alternating
 * A and B, and prints the ratio: these machines are shared and noisy, so absolute figures drift but ratios hold.
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startProcess as startTsProcess } from '../packages/server/src/testing/processes.js';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export { freePort } from '../packages/server/src/testing/processes.js';

/** Starts a TypeScript entry point (cwd: the repository root) and resolves once it prints `ready`/`listening on`. */
export const startProcess = (entry: string, args: string[], env: Record<string, string>) =>
  startTsProcess(entry, args, env, repoRoot);

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export const fmt = (n: number, digits = 2) => n.toFixed(digits);

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks
  return ticks / 100; // USER_HZ is 100 on Linux
}
