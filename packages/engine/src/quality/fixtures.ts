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

/** One photo the run reads: its file name (the report's key) and where it lies. */
export interface DevPhoto {
  name: string;
  path: string;
}

export interface DevGarment extends DevPhoto {
  words: { title: string; description: string | null };
}

/** A development set as the quality run walks it: every person × every garment listed. */
export interface DevSet {
  name: 'tryon' | 'ootd';
  persons: DevPhoto[];
  garments: DevGarment[];
}

/**
 * The `ootd/` garments the default run tries on every person: tops of four kinds (a two-tone tee, a striped
 * long-sleeved top, a white printed tee on a pale background, an off-shoulder top on straps), one pair of jeans and
 * one sleeveless dress. 28 persons × 6 = 168 pairs; `--full` runs all 42 garments (1,176 pairs).
 */
export const OOTD_SAMPLE: Record<string, { title: string; description: string | null }> = {
  'upper/00055_00.jpg': { title: 'Vans logo T-shirt', description: 'Lilac tee with contrast sleeves.' },
  'upper/00151_00.jpg': { title: 'Striped long-sleeved top', description: 'Breton stripe jersey top.' },
  'upper/12562_00.jpg': { title: 'Minnie Mouse T-shirt', description: 'White cotton tee with a print.' },
  'upper/050002_1.jpg': { title: 'Cold-shoulder top', description: 'Navy top on thin straps with a tie neck.' },
  'lower/051946_1.jpg': { title: 'Pink skinny jeans', description: 'Five-pocket jeans.' },
  'dress/053319_1.jpg': { title: 'Orange printed midi dress', description: 'Sleeveless flared dress.' },
};
/** Words for the rest of `ootd/` (the `--full` run): what a shop would call each folder's garments. */
const OOTD_FOLDER_WORDS: Record<string, { title: string; description: string | null }> = {
  upper: { title: 'Top', description: null },
  lower: { title: 'Trousers', description: null },
  dress: { title: 'Dress', description: null },
};

const isImage = (f: string) => /\.(png|jpe?g|webp)$/i.test(f);
const listImages = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter(isImage).sort() : []);

/** The try-on set: every person and garment in `tryon/`; null when its folders are missing or empty. */
export function tryOnSet(dir = fixturesDir()): DevSet | null {
  const personDir = join(dir, 'tryon', 'person');
  const garmentDir = join(dir, 'tryon', 'garment');
  const persons = listImages(personDir).map((name) => ({ name, path: join(personDir, name) }));
  const garments = listImages(garmentDir).map((name) => ({
    name,
    path: join(garmentDir, name),
    words: GARMENT_TITLES[name] ?? { title: 'Garment', description: null },
  }));
  return persons.length && garments.length ? { name: 'tryon', persons, garments } : null;
}

/** The OOTD set: every person × the sample garments (all 42 with `full`); null when its folders are missing. */
export function ootdSet(dir = fixturesDir(), full = false): DevSet | null {
  const root = join(dir, 'ootd');
  const persons = listImages(join(root, 'person')).map((name) => ({ name, path: join(root, 'person', name) }));
  const all = ['upper', 'lower', 'dress'].flatMap((folder) =>
    listImages(join(root, 'garment', folder)).map((f) => `${folder}/${f}`),
  );
  const names = full ? all : all.filter((g) => g in OOTD_SAMPLE);
  const garments = names.map((g) => ({
    name: g.replace('/', '-'),
    path: join(root, 'garment', g),
    words: OOTD_SAMPLE[g] ?? OOTD_FOLDER_WORDS[g.split('/')[0]!]!,
  }));
  return persons.length && garments.length ? { name: 'ootd', persons, garments } : null;
}
