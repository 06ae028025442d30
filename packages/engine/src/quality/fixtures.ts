/**
 * The try-on fixtures (outside the repository: `../shared/fixtures/tryon` beside the project root, or FIXTURES_DIR)
 * and the product words a shop would send with each garment image.
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

/** The fixtures directory: FIXTURES_DIR, else `<project root>/../shared/fixtures`. */
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

export function listTryOnFixtures(dir = fixturesDir()): TryOnFixtures | null {
  const personDir = join(dir, 'tryon', 'person');
  const garmentDir = join(dir, 'tryon', 'garment');
  if (!existsSync(personDir) || !existsSync(garmentDir)) return null;
  const img = (f: string) => /\.(png|jpe?g|webp)$/i.test(f);
  return {
    personDir,
    garmentDir,
    persons: readdirSync(personDir).filter(img).sort(),
    garments: readdirSync(garmentDir).filter(img).sort(),
  };
}
