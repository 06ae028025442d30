/**
 * The server tests' and the benchmarks' photos: the repository's `test-photos/` (person/ and garment/; origins and
 * licences in its README). `readFixture('person', 'woman-2.png')`; a missing photo throws.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../../..');
export const TEST_PHOTOS_DIR = join(repoRoot, 'test-photos');
export const fixturePath = (...parts: string[]) => join(TEST_PHOTOS_DIR, ...parts);
export const readFixture = (...parts: string[]) => readFileSync(fixturePath(...parts));
export const testDataPath = (name: string) => join(repoRoot, 'packages/server/test-data', name);
