/** Helpers for tests and benchmarks that run real processes: free ports, and TypeScript entry points started by tsx. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface StartedProcess {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, and wait for the exit. */
  stop(): Promise<void>;
}

/** Starts a TypeScript entry point in its own process; resolves once it prints `ready` or `listening on`. */
export function startProcess(
  entry: string,
  args: string[],
  env: Record<string, string>,
  cwd?: string,
): Promise<StartedProcess> {
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', entry, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} did not start:\n${out}`)), 120_000);
    const onExit = (code: number | null) => reject(new Error(`${entry} exited (${code}):\n${out}`));
    const onData = () => {
      if (/\bready\b|listening on/.test(out)) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.off('exit', onExit);
        resolve({ child, output: () => out, stop });
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}
