import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskOfRects, type Rect } from '../raster/mask.js';
import { classifyGarment, strapsNotSleeves } from './classify.js';
import { findLandmarks, type GarmentLandmarks } from './landmarks.js';

const W = 300;
const H = 300;

const drawn = (...rects: Rect[]) => maskOfRects(W, H, rects);

describe('straps are not sleeves', () => {
  const tee = findLandmarks(drawn([100, 90, 200, 260], [40, 90, 100, 150], [200, 90, 260, 150]))!;
  /** The tee's landmarks with its "sleeves" pointing up from their roots, as a cami's straps do. */
  const rising: GarmentLandmarks = {
    ...tee,
    sleeveLeft: { ...tee.sleeveLeft!, end: { x: tee.sleeveLeft!.root.x, y: tee.sleeveLeft!.root.y - 60 } },
    sleeveRight: { ...tee.sleeveRight!, end: { x: tee.sleeveRight!.root.x, y: tee.sleeveRight!.root.y - 60 } },
  };
  /** …or with the torso's side lines crossed, as the outline finds them under straps. */
  const crossed: GarmentLandmarks = { ...tee, armpitLeft: tee.armpitRight, armpitRight: tee.armpitLeft };

  it('reads sleeves that rise from their roots, or side lines that cross, as straps', () => {
    assert.ok(tee.sleeveLeft && tee.sleeveRight);
    assert.equal(strapsNotSleeves(tee), false);
    assert.equal(strapsNotSleeves(rising), true);
    assert.equal(strapsNotSleeves(crossed), true);
    // One strap rising is not enough on its own (a sleeve laid up on one side).
    assert.equal(strapsNotSleeves({ ...rising, sleeveRight: tee.sleeveRight }), false);
  });

  it('a cami titled "T-shirt" is still sleeveless (shops title camis so); a tee keeps its words', () => {
    const words = { title: 'T-shirt', description: null };
    assert.equal(classifyGarment(words, rising).sleeve, 'none');
    assert.equal(classifyGarment(words, crossed).sleeve, 'none');
    assert.equal(classifyGarment(words, tee).sleeve, 'short');
  });
});
