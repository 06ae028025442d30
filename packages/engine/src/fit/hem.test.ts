import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BodyFrame } from '../body/frame.js';
import type { PersonParsing } from '../body/parsing.js';
import type { GarmentAnalysis } from '../garment/analyze.js';
import { placeOnShoulders } from './fit-top.js';
import { hemLine } from './hem.js';

/** A tee (hem as wide as its chest) on a body whose right shoulder is raised; its hips level, or not seen. */
function hemOn(hipsSeen: boolean) {
  const frame = {
    lShoulder: { x: 100, y: 120 },
    rShoulder: { x: 300, y: 90 }, // the right shoulder raised: about 8.5° of tilt
    lHip: { x: 130, y: 400 },
    rHip: { x: 270, y: 400 },
    shoulderWidth: 202,
    hipsSeen,
  } as BodyFrame;
  const parsing = { frame } as PersonParsing;
  const g = {
    cls: { category: 'upper' },
    landmarks: { hemLeft: { x: 50, y: 500 }, hemRight: { x: 350, y: 500 } },
  } as unknown as GarmentAnalysis;
  const bAng = Math.atan2(frame.rShoulder.y - frame.lShoulder.y, frame.rShoulder.x - frame.lShoulder.x);
  return hemLine(g, parsing, 440, 300, bAng);
}

describe('hemLine', () => {
  it('hangs level with the hips, not tilted with a raised shoulder', () => {
    const { hemLeft, hemRight } = hemOn(true);
    assert.ok(Math.abs(hemLeft.y - hemRight.y) < 1, JSON.stringify({ hemLeft, hemRight }));
  });

  it('follows the shoulders when the hips are not seen', () => {
    const { hemLeft, hemRight } = hemOn(false);
    assert.ok(hemLeft.y - hemRight.y > 20, JSON.stringify({ hemLeft, hemRight }));
  });
});

describe('placeOnShoulders', () => {
  it("gives a sleeveless garment's width at the shoulders, not its strap span (its length is measured by it)", () => {
    // Straps 100 px apart on the flat-lay; the body's shoulder corners 200 px apart.
    const g = {
      cls: { category: 'dress', sleeve: 'none' },
      landmarks: { shoulderLeft: { x: 150, y: 50 }, shoulderRight: { x: 250, y: 50 } },
    } as unknown as GarmentAnalysis;
    const place = placeOnShoulders(g, { x: 100, y: 100 }, { x: 300, y: 100 });
    // The straps land 82 % of the way out (STRAP_OUT): 164 px apart, so the garment is drawn at 1.64×…
    assert.ok(Math.abs(place.scale - 1.64) < 1e-9, `scale ${place.scale}`);
    // …and at that scale its width across the body's shoulder corners is 200 / 1.64 garment pixels.
    assert.ok(Math.abs(place.garmentShoulderW - 200 / 1.64) < 1e-9, `width ${place.garmentShoulderW}`);
  });
});
