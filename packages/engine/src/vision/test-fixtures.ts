/**
 * Test support: the shared try-on fixtures live outside the repository (../shared/fixtures beside the checkout) and are
 * read from there, never copied in. Used by the engine's *.test.ts files only.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** <checkout>/../shared/fixtures/tryon, from src/vision/ or dist/vision/. */
export const FIXTURES_DIR = fileURLToPath(new URL('../../../../../shared/fixtures/tryon/', import.meta.url));

/** The five 768x1024 studio photos (some cut at the knees) and the 512x512 half-body astronaut. */
export const STUDIO_PERSONS = ['man-1.png', 'man-2.png', 'woman-1.jpg', 'woman-2.png', 'woman-3.png'] as const;
export const HALF_BODY_PERSON = 'astronaut-half-body.png';

export function readPerson(name: string): Buffer {
  return readFileSync(`${FIXTURES_DIR}person/${name}`);
}
