import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BinaryMask } from '../raster/mask.js';
import { findLandmarks } from './landmarks.js';
import { MAX_SHOULDER_DROP, shoulderDrop } from './shoulder-drop.js';

function drawn(...rects: Array<[number, number, number, number]>): BinaryMask {
  const mask: BinaryMask = { width: 300, height: 300, data: new Uint8Array(300 * 300) };
  for (const [x0, y0, x1, y1] of rects) {
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) mask.data[y * 300 + x] = 1;
  }
  return mask;
}

describe('shoulders far below the top: sleeves laid against the body', () => {
  const tee = findLandmarks(drawn([100, 90, 200, 260], [40, 90, 100, 150], [200, 90, 260, 150]))!;

  it('a tee laid flat has its shoulders at its top', () => {
    assert.ok(shoulderDrop(tee) < 0.05, `drop ${shoulderDrop(tee)}`);
  });

  it('a "shoulder" found halfway down a side (a cuff sticking out) is past the limit', () => {
    const [, y0, , y1] = tee.bbox;
    const low = { ...tee, shoulderLeft: { x: tee.shoulderLeft.x, y: y0 + 0.45 * (y1 - y0) } };
    assert.ok(shoulderDrop(low) > MAX_SHOULDER_DROP);
  });
});
