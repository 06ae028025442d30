/**
 * Composite try-on benchmark at 768×1024: time per try-on in ONE worker thread with models loaded, printed as a
 * ratio to the person analysis alone (detectPerson in the same worker, same run), then throughput with 2 worker
 * threads relative to 1. Prints ratios and the raw medians; asserts nothing about time.
 *
 *   node --conditions=development --import tsx bench/engine.bench.ts [rounds]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnginePool } from '../packages/engine/src/engines/engine-pool.js';
import { readGarment, readPerson } from '../packages/engine/src/vision/test-fixtures.js';
import { fmt, median } from './lib.js';

const rounds = Number(process.argv[2] ?? 5);
const person = readPerson('man-1.png'); // 768×1024
const pairs = [
  ['man-1.png', 'upper-4.jpg', 'Printed T-shirt'],
  ['woman-2.png', 'synthetic-tee.png', 'Striped tee'],
  ['woman-3.png', 'dress-3.jpg', 'Knit mini dress'],
  ['man-2.png', 'upper-2.jpg', 'Knit vest'],
] as const;
const input = (p: string, g: string, title: string) => ({
  person: readPerson(p),
  product: {
    title,
    description: null,
    images: [{ data: readGarment(g), contentHash: g, role: null }],
  },
});

// Both pools share one on-disk garment cache (as the server's workers do), so the 2-worker run does not pay for
// cut-outs that the other worker already made.
const garmentCacheDir = mkdtempSync(join(tmpdir(), 'fitroom-bench-garments-'));
const one = createEnginePool({ threads: 1, garmentCacheDir });
try {
  // Warm-up: loads the models and fills the worker's garment cache (a shop's catalogue is cut out once).
  await one.detectPerson(person);
  for (const [p, g, t] of pairs) await one.tryOn(input(p, g, t));
  const detectMs: number[] = [];
  const tryOnMs: number[] = [];
  const stages: Record<string, number[]> = {};
  for (let r = 0; r < rounds; r++) {
    let t = performance.now();
    await one.detectPerson(person);
    detectMs.push(performance.now() - t);
    t = performance.now();
    const out = await one.tryOn(input('man-1.png', 'upper-4.jpg', 'Printed T-shirt'));
    tryOnMs.push(performance.now() - t);
    const timings = (out.diagnostics?.timingsMs ?? {}) as Record<string, number>;
    for (const [k, v] of Object.entries(timings)) {
      stages[k] ??= [];
      stages[k].push(v);
    }
  }
  const d = median(detectMs);
  const o = median(tryOnMs);
  console.log(`person analysis alone (1 worker): median ${fmt(d, 0)} ms`);
  console.log(`try-on 768×1024 (1 worker, cached garment): median ${fmt(o, 0)} ms`);
  console.log(`ratio try-on / person analysis: ${fmt(o / d)}×`);
  console.log(
    `stages inside the worker (median ms): ${Object.entries(stages)
      .map(([k, v]) => `${k} ${median(v)}`)
      .join(', ')}`,
  );

  const batch = pairs.flatMap((p) => [p, p]);
  let t = performance.now();
  for (const [p, g, ti] of batch) await one.tryOn(input(p, g, ti));
  const oneThroughput = batch.length / ((performance.now() - t) / 1000);
  await one.close();

  const two = createEnginePool({ threads: 2, garmentCacheDir });
  await Promise.all([two.detectPerson(person), two.detectPerson(person)]);
  await Promise.all(pairs.map(([p, g, ti]) => two.tryOn(input(p, g, ti))));
  t = performance.now();
  await Promise.all(batch.map(([p, g, ti]) => two.tryOn(input(p, g, ti))));
  const twoThroughput = batch.length / ((performance.now() - t) / 1000);
  await two.close();
  console.log(`throughput 1 worker: ${fmt(oneThroughput)} try-ons/s; 2 workers: ${fmt(twoThroughput)} try-ons/s`);
  console.log(`ratio throughput 2 workers / 1 worker: ${fmt(twoThroughput / oneThroughput)}×`);
} finally {
  await one.close().catch(() => undefined);
}
