/** Paths to the shared photo fixtures (`../shared/fixtures` beside the project root; FIXTURES_DIR overrides). */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../../..');
export const FIXTURES_DIR = process.env.FIXTURES_DIR ?? join(repoRoot, '../shared/fixtures');
export const fixturePath = (...parts: string[]) => join(FIXTURES_DIR, 'tryon', ...parts);
export const readFixture = (...parts: string[]) => readFileSync(fixturePath(...parts));
export const testDataPath = (name: string) => join(repoRoot, 'packages/server/test-data', name);
