import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskOfRects, type Rect } from '../raster/mask.js';
import { decodeImage } from '../vision/person-detector.js';
import { readGarment } from '../vision/test-fixtures.js';
import { removeBackCollar } from './back-collar.js';
import { cutOutFlatLay } from './cutout.js';
import { findLandmarks } from './landmarks.js';
import { isOffShoulder, MIN_OFF_SHOULDER_STRAPS, strapShare } from './off-shoulder.js';

const W = 300;
const H = 300;

const drawn = (...rects: Rect[]) => maskOfRects(W, H, rects);

const BODY: Rect = [100, 90, 200, 260];
const SLEEVES: Rect[] = [
  [40, 90, 100, 150],
  [200, 90, 260, 150],
];
const STRAPS: Rect[] = [
  [115, 40, 121, 90],
  [179, 40, 185, 90],
];

describe('off-shoulder and cold-shoulder tops', () => {
  it('measures the straps above the garment as a share of its height', () => {
    assert.equal(strapShare(drawn(BODY, ...SLEEVES)), 0);
    const share = strapShare(drawn(BODY, ...SLEEVES, ...STRAPS));
    assert.ok(Math.abs(share - 50 / 220) < 0.01, `share ${share}`);
  });

  it('refuses sleeves hanging from straps, and neither sleeves alone nor straps alone', () => {
    const offShoulder = drawn(BODY, ...SLEEVES, ...STRAPS);
    const landmarks = findLandmarks(offShoulder);
    assert.ok(landmarks?.sleeveLeft && landmarks.sleeveRight, 'the drawn sleeves are found as sleeves');
    assert.equal(isOffShoulder(offShoulder, landmarks), true);

    const tee = drawn(BODY, ...SLEEVES);
    assert.equal(isOffShoulder(tee, findLandmarks(tee)!), false);

    const camisole = drawn(BODY, ...STRAPS);
    const camiLandmarks = findLandmarks(camisole, { sleeveless: true })!;
    assert.equal(isOffShoulder(camisole, camiLandmarks), false);
  });

  for (const name of ['upper-1.jpg', 'upper-2.jpg', 'upper-3.jpg', 'upper-4.jpg', 'dress-3.jpg', 'synthetic-tee.png']) {
    it(`lets the repository's flat-lay ${name} through`, async () => {
      const img = await decodeImage(new Uint8Array(readGarment(name)), { maxSide: 768 });
      const { mask } = removeBackCollar(img, cutOutFlatLay(img).mask);
      assert.ok(strapShare(mask) < MIN_OFF_SHOULDER_STRAPS / 2);
    });
  }
});
