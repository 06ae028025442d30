/**
 * Test support: the engine tests' photos, read from the repository's `test-photos/` (person/ and garment/; origins and
 * licences in its README). The one place the engine's *.test.ts files find them; a missing photo throws.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Mask } from './types.js';

/** <checkout>/test-photos/, from src/vision/ or dist/vision/. */
export const TEST_PHOTOS_DIR = fileURLToPath(new URL('../../../../test-photos/', import.meta.url));

/** The five 768x1024 studio photos (some cut at the knees) and the 512x512 half-body astronaut. */
export const STUDIO_PERSONS = ['man-1.png', 'man-2.png', 'woman-1.jpg', 'woman-2.png', 'woman-3.png'] as const;
export const HALF_BODY_PERSON = 'astronaut-half-body.png';

export function readPerson(name: string): Buffer {
  return readFileSync(`${TEST_PHOTOS_DIR}person/${name}`);
}

export function readGarment(name: string): Buffer {
  return readFileSync(`${TEST_PHOTOS_DIR}garment/${name}`);
}

/** Bounding box of a soft mask's pixels ≥ 128 (the person's visible extent): [minX, minY, maxX, maxY], inclusive. */
export function maskBounds(mask: Mask): [number, number, number, number] {
  let [x0, y0, x1, y1] = [mask.width, mask.height, -1, -1];
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      if (mask.data[y * mask.width + x]! < 128) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  }
  return [x0, y0, x1, y1];
}
