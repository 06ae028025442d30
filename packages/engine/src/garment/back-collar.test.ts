import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countMask, maskBounds } from '../raster/mask.js';
import { decodeImage } from '../vision/person-detector.js';
import { readGarment } from '../vision/test-fixtures.js';
import { removeBackCollar } from './back-collar.js';
import { cutOutFlatLay } from './cutout.js';

async function cut(name: string) {
  const img = await decodeImage(new Uint8Array(readGarment(name)), { maxSide: 768 });
  return { img, mask: cutOutFlatLay(img).mask };
}

describe('back collar inside a V-neck', () => {
  it('removes the back panel seen through the cardigan V, and only near the neck', async () => {
    const { img, mask } = await cut('upper-1.jpg');
    const r = removeBackCollar(img, mask);
    assert.ok(r.removed > 500, `removed ${r.removed}`);
    assert.equal(countMask(mask) - countMask(r.mask), r.removed);
    const [x0, y0, x1, y1] = maskBounds(mask)!;
    // Every removed pixel lies in the top 40 % of the garment and in its middle 40 %.
    for (let p = 0; p < mask.data.length; p++) {
      if (!mask.data[p] || r.mask.data[p]) continue;
      const x = p % img.width;
      const y = (p / img.width) | 0;
      assert.ok(y <= y0 + (y1 - y0) * 0.42 && Math.abs(x - (x0 + x1) / 2) <= (x1 - x0) * 0.25);
    }
    // The neckline opens at the top: the top contour at the axis drops by more than a tenth of the height.
    const topAt = (m: typeof mask, x: number) => {
      for (let y = 0; y < img.height; y++) if (m.data[y * img.width + x]) return y;
      return -1;
    };
    const cx = Math.round((x0 + x1) / 2);
    assert.ok(topAt(r.mask, cx) - topAt(mask, cx) > (y1 - y0) * 0.1);
  });

  for (const name of ['synthetic-tee.png', 'upper-4.jpg', 'dress-4.jpg']) {
    it(`leaves a crew or polo neck alone (${name})`, async () => {
      const { img, mask } = await cut(name);
      const r = removeBackCollar(img, mask);
      assert.equal(r.removed, 0);
      assert.equal(r.mask, mask);
    });
  }
});
