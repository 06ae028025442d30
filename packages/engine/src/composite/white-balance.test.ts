import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PersonParsing } from '../body/parsing.js';
import type { GarmentAnalysis } from '../garment/analyze.js';
import type { RawImage } from '../vision/types.js';
import { whiteBalanceGains } from './white-balance.js';

/** A photo that is all wall of one colour (no person pixels), and a product shot on pure white. */
function gains(wall: [number, number, number]): number[] {
  const w = 40;
  const h = 40;
  const data = new Uint8Array(w * h * 3);
  for (let p = 0; p < w * h; p++) data.set(wall, p * 3);
  const person: RawImage = { data, width: w, height: h, channels: 3 };
  const parsing = { person: { data: new Uint8Array(w * h), width: w, height: h } } as unknown as PersonParsing;
  const garment = { background: [255, 255, 255] } as unknown as GarmentAnalysis;
  return whiteBalanceGains(person, parsing, garment);
}

describe('white balance', () => {
  it('a white wall under warm light warms the garment by the wall’s cast, at most 8 %', () => {
    const [r, g, b] = gains([250, 240, 225]);
    assert.ok(r! > 1.02 && b! < 0.98, `gains ${[r, g, b].map((x) => x!.toFixed(3))}`);
    assert.ok(r! <= 1.08 && b! >= 0.92);
  });

  it('a coloured backdrop is no white reference: the garment keeps its colours', () => {
    // A cyan studio backdrop (the channels spread ~0.27 of their mean): the ±8 % turned a white tee mint.
    assert.deepEqual(gains([170, 215, 225]), [1, 1, 1]);
  });
});
