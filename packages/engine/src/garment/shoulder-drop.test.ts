import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskOfRects, type Rect } from '../raster/mask.js';
import { findLandmarks } from './landmarks.js';
import { MAX_SHOULDER_DROP, shoulderDrop } from './shoulder-drop.js';

const drawn = (...rects: Rect[]) => maskOfRects(300, 300, rects);

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
