import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sampleField } from '../raster/blur.js';
import type { RawImage } from '../vision/types.js';
import { membraneFill } from './membrane.js';

/** 120×40 image: skin of value 60 on the left (x < 20), 180 on the right (x ≥ 100), a hole to fill between. */
function scene() {
  const w = 120;
  const h = 40;
  const data = new Uint8Array(w * h * 3);
  const fill = new Uint8Array(w * h);
  const source = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const v = x < 20 ? 60 : x >= 100 ? 180 : 128;
      data.fill(v, p * 3, p * 3 + 3);
      if (x < 20 || x >= 100) source[p] = 1;
      else fill[p] = 1;
    }
  }
  const img: RawImage = { data, width: w, height: h, channels: 3 };
  return { img, fill, source };
}

describe('membrane skin fill', () => {
  it('continues the border skin on each side and blends smoothly between them', () => {
    const { img, fill, source } = scene();
    const f = membraneFill(img, fill, source, [0, 0, 119, 39], 4)!;
    assert.ok(f);
    const at = (x: number) => sampleField(f[0]!, x, 20);
    // Next to each border the fill takes that border's colour; in the middle, the mean of both.
    assert.ok(Math.abs(at(22) - 60) < 12, `left ${at(22)}`);
    assert.ok(Math.abs(at(97) - 180) < 12, `right ${at(97)}`);
    assert.ok(Math.abs(at(60) - 120) < 10, `middle ${at(60)}`);
    // Monotonic from left to right: no flat plateau, no overshoot.
    let prev = -1;
    for (let x = 20; x < 100; x += 4) {
      const v = at(x);
      assert.ok(v >= prev - 0.5 && v >= 59 && v <= 181);
      prev = v;
    }
  });

  it('returns null when the fill touches no real skin', () => {
    const { img, fill } = scene();
    assert.equal(membraneFill(img, fill, new Uint8Array(fill.length), [0, 0, 119, 39], 4), null);
  });
});
