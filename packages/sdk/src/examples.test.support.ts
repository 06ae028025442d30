// Runs commands and the examples from the repository root, and reads the repository's test photos (shared by
// examples.test.ts, sdk.e2e.test.ts and portability.test.ts).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const examplesDir = fileURLToPath(new URL('../examples/', import.meta.url));

/** A photo of the repository's `test-photos/` (origins and licences in its README): `readTestPhoto('person/woman-1.jpg')`. */
export const readTestPhoto = (path: string) => readFileSync(join(repoRoot, 'test-photos', path));

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
