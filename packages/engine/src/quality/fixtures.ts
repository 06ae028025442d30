/**
 * The development photo sets the quality run reads (outside the repository: FIXTURES_DIR, else `../shared/fixtures`
 * beside the project root) and the product words a shop would send with each try-on garment image. The tests read the
 * repository's own `test-photos/` instead (vision/test-fixtures.ts).
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Titles as a shop would write them; the classifier sees these, never the file names. */
export const GARMENT_TITLES: Record<string, { title: string; description: string | null }> = {
  'upper-1.jpg': { title: 'Snoopy cashmere cardigan', description: 'Grey knit cardigan with buttons.' },
  'upper-2.jpg': { title: 'Snoopy tennis knit vest', description: 'Cream sleeveless sweater vest.' },
  'upper-3.jpg': { title: '95 football jersey', description: 'Oversized mesh jersey T-shirt.' },
  'upper-4.jpg': { title: 'Les Deux Alpes T-shirt', description: 'Black cotton tee with a ski print.' },
  'synthetic-tee.png': { title: 'Striped tee', description: null },
  'dress-1.jpg': { title: 'Crochet flower mini dress', description: 'Sleeveless halter dress in crochet flowers.' },
  'dress-2.jpg': { title: 'Draped one-shoulder dress', description: 'Lime jersey mini dress.' },
  'dress-3.jpg': { title: 'Ribbed knit mini dress', description: 'Cream knit dress with a collar and pockets.' },
  'dress-4.jpg': { title: 'Chevron polo dress', description: 'White knit polo dress with a zip.' },
  'on-model-1.jpg': { title: 'Crochet patchwork shirt', description: 'Short-sleeved crochet shirt.' },
  'on-model-2.jpg': { title: 'Tie-front shirt', description: 'Tie-dye short-sleeved shirt tied at the front.' },
  'on-model-3.jpg': { title: 'Zigzag knit dress', description: 'Sleeveless zigzag knit mini dress.' },
  'on-model-4.jpg': { title: 'Mother graphic tank top', description: 'Sleeveless cotton tank.' },
};

/** The development sets' directory: FIXTURES_DIR, else `<project root>/../shared/fixtures`. */
export function fixturesDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FIXTURES_DIR) return resolve(env.FIXTURES_DIR);
  const here = dirname(fileURLToPath(import.meta.url));
  // src/quality → packages/engine → packages → project root
  return resolve(here, '../../../..', '..', 'shared', 'fixtures');
}

export interface TryOnFixtures {
  personDir: string;
  garmentDir: string;
  persons: string[];
  garments: string[];
}

/** The expected layout of the development sets' directory, as told to someone who does not have it. */
export function missingFixturesMessage(dir: string): string {
  return [
    `The development photo sets were not found in ${dir}.`,
    'Put them there (the default is ../shared/fixtures beside the repository) or set FIXTURES_DIR to their folder,',
    'laid out as:',
    '  tryon/person/       shopper photos (.png, .jpg, .webp)',
    '  tryon/garment/      product photos',
    '  ootd/person/        the second set: shopper photos',
    '  ootd/garment/upper/, ootd/garment/lower/, ootd/garment/dress/',
    "(The repository's test-photos/ hold the tests' photos, not laid out as a development set.)",
  ].join('\n');
}

/** The try-on set's photos, or null when its folders are missing or hold no image. */
export function listTryOnFixtures(dir = fixturesDir()): TryOnFixtures | null {
  const personDir = join(dir, 'tryon', 'person');
  const garmentDir = join(dir, 'tryon', 'garment');
  if (!existsSync(personDir) || !existsSync(garmentDir)) return null;
  const img = (f: string) => /\.(png|jpe?g|webp)$/i.test(f);
  const persons = readdirSync(personDir).filter(img).sort();
  const garments = readdirSync(garmentDir).filter(img).sort();
  if (persons.length === 0 || garments.length === 0) return null;
  return { personDir, garmentDir, persons, garments };
}
