// Runs commands and the examples from the repository root (shared by examples.test.ts, sdk.e2e.test.ts and
// portability.test.ts).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const examplesDir = fileURLToPath(new URL('../examples/', import.meta.url));

export function run(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: repoRoot, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export const runExample = (env: Record<string, string>, ...args: string[]) =>
  run(
    process.execPath,
    ['--conditions=development', '--import', 'tsx', `${examplesDir}recommended-flow.ts`, ...args],
    env,
  );
