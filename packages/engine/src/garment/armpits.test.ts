import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BinaryMask } from '../raster/mask.js';
import { findLandmarks } from './landmarks.js';

const W = 300;
const H = 400;

/** A flat-lay mask: per row, the garment spans [cx - half(y), cx + half(y)). */
function shaped(top: number, bottom: number, half: (y: number) => number): BinaryMask {
  const mask: BinaryMask = { width: W, height: H, data: new Uint8Array(W * H) };
  for (let y = top; y < bottom; y++) {
    const h = Math.round(half(y));
    for (let x = 150 - h; x < 150 + h; x++) mask.data[y * W + x] = 1;
  }
  return mask;
}

describe('armpits and the hem', () => {
  it('a sleeveless top whose hem band is narrower than its body has no sleeves: the band is not an armpit', () => {
    // Straight sides 60 px from the axis, gathered into a hem band 40 px from it over the last 25 rows (a balloon
    // or peplum hem): going up from the hem the edge moves out fast, as under a sleeve, but no gap opens beside it.
    const bottom = 380;
    const mask = shaped(20, bottom, (y) => {
      const fromHem = bottom - y;
      return fromHem < 25 ? 40 : fromHem < 33 ? 40 + (fromHem - 25) * 2.5 : 60;
    });
    const lm = findLandmarks(mask)!;
    assert.equal(lm.sleeveLeft, null);
    assert.equal(lm.sleeveRight, null);
    // The armpits (here: the armholes' defaults) sit in the garment's upper half, not at its hem.
    assert.ok(lm.armpitLeft.y < 20 + 0.5 * (bottom - 20), `armpit at ${lm.armpitLeft.y}`);
  });
});
