import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { legHull } from '../body/legs.js';
import { refineSilhouette } from '../body/silhouette.js';
import type { RawImage } from '../vision/types.js';
import { gaussBlur, maskedBlurLow, sampleField } from './blur.js';
import { components, fillHoles, largestComponent } from './components.js';
import { distanceToSet } from './distance.js';
import type { BinaryMask } from './mask.js';
import { dilate, erode, squareMorph } from './morphology.js';

// Deterministic pseudo-random masks (a linear congruential generator: the tests must not depend on Math.random).
function randomMask(w: number, h: number, density: number, seed: number): BinaryMask {
  let s = seed;
  const data = new Uint8Array(w * h);
  for (let i = 0; i < data.length; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    data[i] = s / 2 ** 32 < density ? 1 : 0;
  }
  return { data, width: w, height: h };
}

describe('raster morphology', () => {
  it('dilate and erode equal the exact distance-transform definition (disk, d² ≤ r²)', () => {
    for (let t = 0; t < 12; t++) {
      const m = randomMask(40 + t * 5, 30 + t * 3, 0.05 + (t % 4) * 0.2, t + 1);
      const inv: BinaryMask = { ...m, data: m.data.map((v) => v ^ 1) };
      const dSet = distanceToSet(m);
      const dUnset = distanceToSet(inv);
      for (const r of [1, 1.5, 2, 3, 4.7, 9]) {
        const a = dilate(m, r);
        const e = erode(m, r);
        for (let i = 0; i < dSet.length; i++) {
          assert.equal(a.data[i], dSet[i]! <= r * r ? 1 : 0, `dilate r=${r} at ${i}`);
          assert.equal(e.data[i], dUnset[i]! <= r * r ? 0 : 1, `erode r=${r} at ${i}`);
        }
      }
    }
  });

  it('squareMorph equals a brute-force (2r+1)² window', () => {
    const m = randomMask(37, 29, 0.4, 7);
    for (const r of [1, 2, 4]) {
      const d = squareMorph(m, r, 'dilate');
      const e = squareMorph(m, r, 'erode');
      for (let y = 0; y < m.height; y++) {
        for (let x = 0; x < m.width; x++) {
          let anySet = false;
          let anyUnset = false;
          for (let dy = -r; dy <= r; dy++) {
            for (let dx = -r; dx <= r; dx++) {
              const xx = x + dx;
              const yy = y + dy;
              if (xx < 0 || yy < 0 || xx >= m.width || yy >= m.height) continue;
              if (m.data[yy * m.width + xx]) anySet = true;
              else anyUnset = true;
            }
          }
          assert.equal(d.data[y * m.width + x], anySet ? 1 : 0);
          assert.equal(e.data[y * m.width + x], anyUnset ? 0 : 1);
        }
      }
    }
  });

  it('run-length components equal a pixel flood fill (8-connected, raster-order labels)', () => {
    // Reference: the straightforward flood fill, labels in raster order of each component's first pixel.
    const reference = (m: BinaryMask) => {
      const { width: w, height: h } = m;
      const labels = new Int32Array(w * h);
      const sizes = [0];
      for (let s = 0; s < w * h; s++) {
        if (!m.data[s] || labels[s]) continue;
        const l = sizes.length;
        sizes.push(0);
        const stack = [s];
        labels[s] = l;
        while (stack.length > 0) {
          const p = stack.pop()!;
          sizes[l]!++;
          const x = p % w;
          const y = (p - x) / w;
          for (let dy = -1; dy <= 1; dy++)
            for (let dx = -1; dx <= 1; dx++) {
              const xx = x + dx;
              const yy = y + dy;
              if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
              const q = yy * w + xx;
              if (m.data[q] && !labels[q]) {
                labels[q] = l;
                stack.push(q);
              }
            }
        }
      }
      return { labels, sizes };
    };
    for (let t = 0; t < 10; t++) {
      const m = randomMask(37 + t * 5, 29 + t * 3, 0.3 + t * 0.05, 11 + t);
      const got = components(m);
      const want = reference(m);
      assert.deepEqual(got.sizes, want.sizes);
      assert.deepEqual(got.labels, want.labels);
      const big = largestComponent(m);
      let best = 1;
      for (let i = 1; i < want.sizes.length; i++) if (want.sizes[i]! > want.sizes[best]!) best = i;
      assert.equal(big.size, want.sizes[best] ?? 0);
      assert.equal(
        big.total,
        want.sizes.reduce((a, b) => a + b, 0),
      );
      for (let i = 0; i < m.data.length; i++) assert.equal(big.mask.data[i], want.labels[i] === best ? 1 : 0);
    }
  });

  it('fillHoles fills enclosed background only', () => {
    const w = 20;
    const h = 16;
    const m: BinaryMask = { data: new Uint8Array(w * h), width: w, height: h };
    // A ring (enclosing a hole) and a "C" (open to the outside).
    for (let y = 2; y <= 8; y++)
      for (let x = 2; x <= 8; x++) if (y === 2 || y === 8 || x === 2 || x === 8) m.data[y * w + x] = 1;
    for (let y = 2; y <= 8; y++)
      for (let x = 11; x <= 17; x++) if (y === 2 || y === 8 || x === 11) m.data[y * w + x] = 1;
    const f = fillHoles(m);
    assert.equal(f.data[5 * w + 5], 1, 'the ring is filled');
    assert.equal(f.data[5 * w + 14], 0, 'the open C is not');
    assert.equal(f.data[12 * w + 5], 0);
  });
});

describe('raster blurs', () => {
  it('maskedBlurLow spreads a region’s mean without bleeding in the rest', () => {
    const w = 120;
    const h = 90;
    const v = new Float32Array(w * h);
    const wt = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const inside = x < 60;
        v[y * w + x] = inside ? 100 : 250;
        wt[y * w + x] = inside ? 1 : 0;
      }
    }
    const [f] = maskedBlurLow([v], wt, w, h, 8);
    // Inside, and a little beyond the region's edge, the field is the region's value, not a mix with 250.
    assert.ok(Math.abs(sampleField(f!, 30, 45) - 100) < 0.5);
    assert.ok(Math.abs(sampleField(f!, 64, 45) - 100) < 0.5);
  });

  it('gaussBlur keeps the mean of a plane', () => {
    const w = 64;
    const h = 48;
    const v = new Float32Array(w * h);
    v[24 * w + 32] = 1000;
    const b = gaussBlur(v, w, h, 3);
    const sum = b.reduce((s, x) => s + x, 0);
    assert.ok(Math.abs(sum - 1000) < 1, `sum ${sum}`);
  });
});

describe('silhouette refinement', () => {
  it('pulls a soft mask that bleeds 4 px onto a plain wall back to the true edge', () => {
    // 480×640: the refinement band is ±5 px at this size (2 pixels of the 256-px selfie model).
    const w = 480;
    const h = 640;
    const data = new Uint8Array(w * h * 3);
    const soft = new Uint8Array(w * h);
    // A grey wall (200) with a little noise and a darker "person" rectangle (90, 60, 50) at x∈[160,320), y∈[80,600).
    let s = 3;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        s = (s * 1664525 + 1013904223) >>> 0;
        const noise = (s >>> 29) - 4;
        const inside = x >= 160 && x < 320 && y >= 80 && y < 600;
        const p = (y * w + x) * 3;
        data[p] = inside ? 90 + noise : 200 + noise;
        data[p + 1] = inside ? 60 + noise : 200 + noise;
        data[p + 2] = inside ? 50 + noise : 202 + noise;
        // The model's mask: 4 px too wide on every side.
        soft[y * w + x] = x >= 156 && x < 324 && y >= 76 && y < 604 ? 255 : 0;
      }
    }
    const img: RawImage = { data, width: w, height: h, channels: 3 };
    const refined = refineSilhouette(img, { data: soft, width: w, height: h });
    let wrong = 0;
    let total = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const inside = x >= 160 && x < 320 && y >= 80 && y < 600 ? 1 : 0;
        if (refined.data[y * w + x] !== inside) wrong++;
        if (inside) total++;
      }
    }
    // The unrefined mask is wrong on ~5 400 pixels (the 4-px rim); the refined one on a handful near the corners.
    assert.ok(wrong < total * 0.01, `${wrong} wrong pixels of ${total}`);
  });
});

describe('legs hull', () => {
  it('spans from the outer edge of one leg to the other, bridging the gap, and ignores arms', () => {
    const w = 100;
    const h = 120;
    const person: BinaryMask = { data: new Uint8Array(w * h), width: w, height: h };
    const arm: BinaryMask = { data: new Uint8Array(w * h), width: w, height: h };
    for (let y = 60; y < 120; y++) {
      for (let x = 35; x < 45; x++) person.data[y * w + x] = 1; // left leg
      for (let x = 55; x < 65; x++) person.data[y * w + x] = 1; // right leg
      if (y < 80) {
        for (let x = 25; x < 30; x++) {
          person.data[y * w + x] = 1; // a hand beside the thigh
          arm.data[y * w + x] = 1;
        }
      }
    }
    const empty: BinaryMask = { data: new Uint8Array(w * h), width: w, height: h };
    const frame = {
      lShoulder: { x: 30, y: 10 },
      rShoulder: { x: 70, y: 10 },
      lHip: { x: 40, y: 58 },
      rHip: { x: 60, y: 58 },
      shoulderWidth: 40,
    };
    const parsing = {
      width: w,
      height: h,
      person,
      frame,
      armLeft: arm,
      armRight: empty,
      forearmLeft: empty,
      forearmRight: empty,
    } as unknown as Parameters<typeof legHull>[0];
    const hull = legHull(parsing, 60, 100);
    assert.equal(hull.data[70 * w + 50], 1, 'the gap between the legs is inside the hull');
    assert.equal(hull.data[70 * w + 35], 1);
    assert.equal(hull.data[70 * w + 27], 0, 'the hand is not');
    assert.equal(hull.data[70 * w + 66], 0, 'nothing past the outer edge');
    assert.equal(hull.data[110 * w + 50], 0, 'nothing below y1');
    // A skirt wider than the legs down to row 80 (its hem): a dress's zone keeps that width below it.
    for (let y = 60; y < 80; y++) for (let x = 32; x < 68; x++) person.data[y * w + x] = 1;
    const dress = legHull(parsing, 60, 100, 0, true);
    assert.equal(dress.data[90 * w + 33], 1, 'below the skirt, as wide as the skirt');
    assert.equal(legHull(parsing, 60, 100).data[90 * w + 33], 0, 'the legs alone are narrower there');
  });
});
