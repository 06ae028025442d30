/**
 * POST /images/upload's image work on a 12-megapixel JPEG: decode + orientation + sRGB + person-aware 4:5 crop
 * (vision models in a worker thread, warm) + JPEG encode, in ms per image, as a ratio to a plain sharp
 * decode + resize + encode of the same image measured alternately in the same run.
 *
 *   npm run bench -- upload-crop          (BENCH_RUNS=7 by default)
 */
import { createEnginePool } from '@fitroom/engine';
import sharp from 'sharp';
import { PoolPersonCropper } from '../packages/server/src/engines.js';
import { normalizePersonPhoto } from '../packages/server/src/images/normalize.js';
import { readFixture } from '../packages/server/src/testing/fixtures.js';
import { fmt, median } from './lib.js';

const runs = Number(process.env.BENCH_RUNS ?? 7);
const person = readFixture('person', 'woman-1.jpg');
// A phone-sized photo: 3000×4000 = 12 MP, JPEG quality 90.
const photo = await sharp(person).resize(3000, 4000, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer();

const pool = createEnginePool({ threads: 1 });
const cropper = new PoolPersonCropper(pool);
const upload = () => normalizePersonPhoto(photo, { maxPixels: 40_000_000, crop: cropper });
const baseline = () =>
  sharp(photo).resize({ width: 2048, height: 2048, fit: 'inside' }).jpeg({ quality: 90 }).toBuffer();

const time = async (fn: () => Promise<unknown>) => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};
try {
  await upload(); // warm-up: loads the models in the worker thread
  await baseline();
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < runs; i++) {
    a.push(await time(upload));
    b.push(await time(baseline));
  }
  const ratios = a.map((x, i) => x / b[i]!);
  const out = await upload();
  console.log(`12 MP JPEG (${photo.length >> 10} KiB) → ${out.width}×${out.height} JPEG, ${runs} runs, medians`);
  console.log(`  upload pipeline (decode, orient, sRGB, person-aware crop, encode): ${fmt(median(a), 0)} ms`);
  console.log(`  plain sharp decode + resize + encode:                             ${fmt(median(b), 0)} ms`);
  console.log(`  ratio upload/plain: ${fmt(median(ratios))} (runs: ${ratios.map((r) => fmt(r)).join(', ')})`);
} finally {
  await pool.close();
}
