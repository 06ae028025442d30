/**
 * The garment analysis on every development garment photo (`tryon/garment/` and all of `ootd/garment/`, with the words
 * fixtures.ts gives them), as a contact sheet to look at: each product photo beside its cut-out (the garment on
 * magenta), its source, share of the frame and class, or the error it failed with.
 *
 *   node --conditions=development --import tsx packages/engine/src/quality/cutouts.ts [--out DIR] [--no-detect]
 *
 * Writes `<out>/cutouts.png` and `<out>/cutouts.json` (default out: `.quality/cutouts` at the project root).
 * `--no-detect` skips the person detector: on-model photos then fail, and the run needs no models.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { EngineError } from '../engine.js';
import { analyzeGarment } from '../garment/analyze.js';
import { detectPerson } from '../vision/person-detector.js';
import { type DevGarment, fixturesDir, missingFixturesMessage, ootdSet, tryOnSet } from './fixtures.js';

const TILE_W = 192;
const TILE_H = 256;
const LABEL_H = 30;
const COLUMNS = 6;

interface CutoutRow {
  set: string;
  garment: string;
  ms: number;
  source?: string;
  areaShare?: number;
  category?: string;
  sleeve?: string;
  error?: string;
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One cell: the product photo, its cut-out on magenta (dark red on failure), and two lines of text. */
async function cell(bytes: Buffer, cut: { image: Buffer; width: number; height: number } | null, lines: string[]) {
  const fit = { fit: 'contain' as const, background: '#808080' };
  const photo = await sharp(bytes).resize(TILE_W, TILE_H, fit).flatten({ background: '#fff' }).png().toBuffer();
  const right = cut
    ? await sharp(cut.image, { raw: { width: cut.width, height: cut.height, channels: 3 } })
        .resize(TILE_W, TILE_H, fit)
        .png()
        .toBuffer()
    : await sharp({ create: { width: TILE_W, height: TILE_H, channels: 3, background: '#400000' } })
        .png()
        .toBuffer();
  const text = lines
    .map((l, i) => `<text x="3" y="${12 + 14 * i}" font-size="12" font-family="sans-serif">${escapeXml(l)}</text>`)
    .join('');
  const label = Buffer.from(`<svg width="${2 * TILE_W}" height="${LABEL_H}">${text}</svg>`);
  return sharp({ create: { width: 2 * TILE_W, height: TILE_H + LABEL_H, channels: 3, background: '#fff' } })
    .composite([
      { input: photo, left: 0, top: 0 },
      { input: right, left: TILE_W, top: 0 },
      { input: label, left: 0, top: TILE_H },
    ])
    .png()
    .toBuffer();
}

async function analyseOne(set: string, g: DevGarment, detect: boolean): Promise<{ row: CutoutRow; tile: Buffer }> {
  const bytes = readFileSync(g.path);
  const t0 = performance.now();
  try {
    const a = await analyzeGarment({ data: bytes, contentHash: `${set}/${g.name}`, role: null }, g.words, {
      ...(detect ? { detect: detectPerson } : {}),
    });
    const ms = performance.now() - t0;
    const { width: w, height: h } = a.image;
    const out = Buffer.alloc(w * h * 3);
    let area = 0;
    for (let i = 0; i < w * h; i++) {
      if (a.mask.data[i]) {
        area++;
        out.set(a.image.data.subarray(i * 3, i * 3 + 3), i * 3);
      } else out.set([255, 0, 255], i * 3);
    }
    const row: CutoutRow = {
      set,
      garment: g.name,
      ms: Math.round(ms),
      source: a.source,
      areaShare: Math.round((1000 * area) / (w * h)) / 1000,
      category: a.cls.category,
      sleeve: a.cls.sleeve,
    };
    const summary = `${a.source} ${(100 * row.areaShare!).toFixed(1)} % ${a.cls.category}/${a.cls.sleeve}`;
    return { row, tile: await cell(bytes, { image: out, width: w, height: h }, [`${set}/${g.name}`, summary]) };
  } catch (err) {
    if (!(err instanceof EngineError)) throw err;
    const row: CutoutRow = { set, garment: g.name, ms: Math.round(performance.now() - t0), error: err.code };
    return { row, tile: await cell(bytes, null, [`${set}/${g.name}`, `${err.code}: ${err.message}`.slice(0, 60)]) };
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  const defaultOut = resolve(fileURLToPath(import.meta.url), '../../../../../.quality/cutouts');
  const outDir = outAt >= 0 ? resolve(args[outAt + 1]!) : defaultOut;
  const detect = !args.includes('--no-detect');
  const dir = fixturesDir();
  const sets = [tryOnSet(dir), ootdSet(dir, true)].filter((s) => s !== null);
  if (sets.length === 0) {
    console.error(missingFixturesMessage(dir));
    process.exit(1);
  }
  const rows: CutoutRow[] = [];
  const tiles: Buffer[] = [];
  for (const s of sets) {
    for (const g of s.garments) {
      const { row, tile } = await analyseOne(s.name, g, detect);
      rows.push(row);
      tiles.push(tile);
      const what = row.error ?? `${row.source} ${(100 * row.areaShare!).toFixed(1)} %`;
      console.log(`${`${s.name}/${g.name}`.padEnd(28)} ${String(row.ms).padStart(5)} ms  ${what}`);
    }
  }
  mkdirSync(outDir, { recursive: true });
  const cw = 2 * TILE_W + 8;
  const chh = TILE_H + LABEL_H + 8;
  await sharp({
    create: { width: COLUMNS * cw, height: Math.ceil(tiles.length / COLUMNS) * chh, channels: 3, background: '#ccc' },
  })
    .composite(
      tiles.map((t, i) => ({ input: t, left: (i % COLUMNS) * cw + 4, top: Math.floor(i / COLUMNS) * chh + 4 })),
    )
    .png()
    .toFile(join(outDir, 'cutouts.png'));
  writeFileSync(join(outDir, 'cutouts.json'), `${JSON.stringify(rows, null, 2)}\n`);
  const failed = rows.filter((r) => r.error);
  console.log(`${rows.length} garment photos, ${failed.length} failed: ${failed.map((r) => r.garment).join(', ')}`);
  console.log(`sheet: ${join(outDir, 'cutouts.png')}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
