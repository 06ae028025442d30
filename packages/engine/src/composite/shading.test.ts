import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PersonParsing } from '../body/parsing.js';
import type { GarmentAnalysis } from '../garment/analyze.js';
import type { BinaryMask } from '../raster/mask.js';
import type { RawImage } from '../vision/types.js';
import { oldShading } from './shading.js';

const W = 200;
const H = 200;

/** An old top filling the frame: luma from `lumaAt`, grey. Its folds are read as in a try-on of a top. */
function foldsOf(lumaAt: (x: number, y: number) => number, row = 100) {
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data.fill(lumaAt(x, y), (y * W + x) * 3, (y * W + x) * 3 + 3);
  const person: RawImage = { data, width: W, height: H, channels: 3 };
  const old: BinaryMask = { data: new Uint8Array(W * H).fill(1), width: W, height: H };
  const parsing = { frame: { shoulderWidth: 120 } } as unknown as PersonParsing;
  const garment = { cls: { category: 'upper' } } as unknown as GarmentAnalysis;
  const shading = oldShading(person, parsing, garment, old, [0, 0, W - 1, H - 1]);
  // The fold ratio along the middle row, away from the edges.
  const ratios: number[] = [];
  for (let x = 40; x < 160; x += 2) ratios.push(shading.foldRatio(x, row));
  return { min: Math.min(...ratios), max: Math.max(...ratios) };
}

describe('shading from the old garment', () => {
  it('a plain old top’s fold is carried over as light and shade', () => {
    // One soft vertical fold: 40 levels darker at its middle, over ~10 px.
    const { min } = foldsOf((x) => 180 - 40 * Math.exp(-(((x - 100) / 6) ** 2)));
    assert.ok(min < 0.93, `the fold darkens the new garment (ratio ${min.toFixed(3)})`);
  });

  it('a patterned old top (a bold print) carries no blotches over', () => {
    // A print of 24 px checks, 150 levels apart: at the fold scale it passes for folds unless damped.
    const { min, max } = foldsOf((x, y) => ((Math.floor(x / 24) + Math.floor(y / 24)) % 2 ? 220 : 70));
    assert.ok(min > 0.99 && max < 1.01, `ratios ${min.toFixed(3)}–${max.toFixed(3)}`);
  });

  it('one large print on a plain old top leaves no ghost, and its plain cloth keeps its folds', () => {
    // A white top (230) with one soft fold at x 150 and a 50 × 50 px black letter block (three 10 px strokes) at
    // x 50..99, y 75..124: the top as a whole is plain (its measure is low), the letter is a print.
    const letter = (x: number, y: number) =>
      x >= 50 && x < 100 && y >= 75 && y < 125 && Math.floor((x - 50) / 10) % 2 === 0;
    const top = (x: number, y: number) => (letter(x, y) ? 40 : 230 - 40 * Math.exp(-(((x - 150) / 6) ** 2)));
    const shading = (() => {
      const data = new Uint8Array(W * H * 3);
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++) data.fill(top(x, y), (y * W + x) * 3, (y * W + x) * 3 + 3);
      const old: BinaryMask = { data: new Uint8Array(W * H).fill(1), width: W, height: H };
      const parsing = { frame: { shoulderWidth: 120 } } as unknown as PersonParsing;
      const garment = { cls: { category: 'upper' } } as unknown as GarmentAnalysis;
      return oldShading({ data, width: W, height: H, channels: 3 }, parsing, garment, old, [0, 0, W - 1, H - 1]);
    })();
    for (let x = 52; x < 98; x += 2) {
      const r = shading.foldRatio(x, 100);
      assert.ok(r > 0.97, `over the letter at x ${x}: ratio ${r.toFixed(3)} (a ghost of the print)`);
    }
    assert.ok(
      shading.foldRatio(150, 100) < 0.95,
      `the fold at x 150 (ratio ${shading.foldRatio(150, 100).toFixed(3)})`,
    );
  });
});
