import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BodyFrame } from '../body/frame.js';
import type { PersonParsing } from '../body/parsing.js';
import type { GarmentAnalysis } from '../garment/analyze.js';
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
