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

describe('a sleeveless dress', () => {
  // A bodice with straight sides down to a waist seam, then a gathered skirt flaring out to the hem: going up the
  // skirt the edge moves in steadily, by far more than an armhole's 4 % of the width.
  const top = 20;
  const waist = 110;
  const bottom = 380;
  const mask = shaped(top, bottom, (y) => (y < waist ? 50 : 45 + ((y - waist) / (bottom - waist)) * 50));

  it('read as a dress, its armpits sit in the bodice, not halfway down the skirt', () => {
    const lm = findLandmarks(mask, { sleeveless: true, dress: true })!;
    for (const pit of [lm.armpitLeft, lm.armpitRight]) {
      assert.ok(pit.y > top + 0.06 * (bottom - top), `armpit at ${pit.y}, at the shoulders`);
      assert.ok(pit.y < waist, `armpit at ${pit.y}, below the waist at ${waist}`);
    }
  });
});
