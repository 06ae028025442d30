import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BinaryMask } from '../raster/mask.js';
import { decodeImage } from '../vision/person-detector.js';
import { readGarment } from '../vision/test-fixtures.js';
import type { RawImage } from '../vision/types.js';
import { removeBackCollar } from './back-collar.js';
import { borderUniformity, cutOutFlatLay } from './cutout.js';
import { MAX_UNSEEN_OUTLINE, unseenOutlineShare } from './outline-contrast.js';

const W = 200;
const H = 200;
const WHITE = [250, 250, 250] as const;

/** A W×H photo on a white backdrop with a 100×100 square "garment" whose left `paleShare` of columns is `pale`. */
function square(paleShare: number, pale: readonly number[], fabric: readonly number[] = [40, 60, 120]) {
  const img: RawImage = { width: W, height: H, channels: 3, data: new Uint8Array(W * H * 3) };
  const mask: BinaryMask = { width: W, height: H, data: new Uint8Array(W * H) };
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const inside = x >= 50 && x < 150 && y >= 50 && y < 150;
      const colour = !inside ? WHITE : x < 50 + 100 * paleShare ? pale : fabric;
      img.data.set(colour, p * 3);
      mask.data[p] = inside ? 1 : 0;
    }
  }
  return { img, mask };
}

describe('the share of a flat-lay outline that cannot be told from the backdrop', () => {
  it('is 0 for a dark garment on white', () => {
    const { img, mask } = square(0, WHITE);
    assert.equal(unseenOutlineShare(img, mask, WHITE), 0);
  });

  it('is 1 for a garment of the backdrop’s colour (a white tee on a white sweep, within 10 levels)', () => {
    const { img, mask } = square(1, [244, 246, 255]);
    assert.equal(unseenOutlineShare(img, mask, WHITE), 1);
  });

  it('counts only the pale stretch of the outline (a white collar or cuff is normal)', () => {
    const { img, mask } = square(0.3, [248, 248, 248]);
    const share = unseenOutlineShare(img, mask, WHITE);
    // The pale third: its left side and about a third of the top and bottom.
    assert.ok(share > 0.2 && share < 0.45, `share ${share}`);
    assert.ok(share < MAX_UNSEEN_OUTLINE);
  });

  it('a pale fabric still contrasted in one channel is seen', () => {
    const { img, mask } = square(1, [250, 250, 225]); // cream on white: 25 levels of blue apart
    assert.equal(unseenOutlineShare(img, mask, WHITE), 0);
  });

  it('the frame’s edge is not an outline, and a strap with no rim is not judged', () => {
    const img: RawImage = { width: W, height: H, channels: 3, data: new Uint8Array(W * H * 3).fill(250) };
    const mask: BinaryMask = { width: W, height: H, data: new Uint8Array(W * H).fill(1) };
    assert.equal(unseenOutlineShare(img, mask, WHITE), 0);
    mask.data.fill(0);
    for (let y = 20; y < 180; y++) mask.data[y * W + 100] = 1; // a 1 px strap
    assert.equal(unseenOutlineShare(img, mask, WHITE), 0);
  });

  for (const name of ['upper-1.jpg', 'upper-2.jpg', 'upper-3.jpg', 'upper-4.jpg', 'dress-1.jpg', 'synthetic-tee.png']) {
    it(`keeps the repository's flat-lay ${name} well under the refusal share`, async () => {
      const img = await decodeImage(new Uint8Array(readGarment(name)), { maxSide: 768 });
      const border = borderUniformity(img);
      const r = cutOutFlatLay(img, { border });
      const { mask } = removeBackCollar(img, r.mask);
      assert.ok(unseenOutlineShare(img, mask, r.background) < MAX_UNSEEN_OUTLINE / 2);
    });
  }
});
