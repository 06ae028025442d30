import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskOfRects, type Rect } from '../raster/mask.js';
import { findLandmarks } from './landmarks.js';

const W = 320;
const H = 320;

const drawn = (...rects: Rect[]) => maskOfRects(W, H, rects);

describe('the part map under the armpits', () => {
  it('keeps a sleeve whole where its edge touches the body for a few rows below the armpit', () => {
    // A tee whose sleeves hang lower than its armpits; the notch under the left one opens 12 rows lower than the
    // right one's, so that the armpit line (their mean) has junction rows under it on the left.
    const leftSleeve: Rect[] = [
      [50, 60, 110, 132],
      [50, 132, 104, 170],
    ];
    const rightSleeve: Rect[] = [
      [210, 60, 270, 120],
      [216, 120, 270, 170],
    ];
    const mask = drawn([110, 60, 210, 300], ...leftSleeve, ...rightSleeve);
    const lm = findLandmarks(mask);
    assert.ok(lm?.sleeveLeft && lm.sleeveRight);
    const area = (rects: Rect[]) => rects.reduce((n, [x0, y0, x1, y1]) => n + (x1 - x0) * (y1 - y0), 0);
    let left = 0;
    let right = 0;
    let torsoOutside = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const part = lm.parts[y * W + x];
        if (part === 2) left++;
        if (part === 3) right++;
        if (part === 1 && (x < 108 || x > 212)) torsoOutside++;
      }
    }
    // Each sleeve whole (its lower piece not given to the torso), give or take the side line's pixel or two.
    assert.ok(left >= area(leftSleeve) * 0.97, `left sleeve ${left} of ${area(leftSleeve)}`);
    assert.ok(right >= area(rightSleeve) * 0.97, `right sleeve ${right} of ${area(rightSleeve)}`);
    assert.equal(torsoOutside, 0);
  });

  it('cuts nothing under straps whose body stays one piece (no notch opens)', () => {
    // A camisole read with sleeves (its words did not say sleeveless): straps above a body wider than the side lines.
    const mask = drawn([80, 110, 240, 300], [90, 40, 110, 110], [210, 40, 230, 110]);
    const lm = findLandmarks(mask)!;
    for (let y = 111; y < 300; y++) {
      for (let x = 80; x < 240; x++) assert.equal(lm.parts[y * W + x], 1, `torso at ${x},${y}`);
    }
  });
});
