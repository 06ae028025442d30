import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { drawPolygon } from '../composite/parsing.js';
import { and, countMask, decodeRgb, emptyMask } from '../composite/raster.js';
import { EngineError } from '../engine.js';
import { GARMENT_TITLES, listTryOnFixtures } from '../quality/fixtures.js';
import { detectPerson } from '../vision/person-detector.js';
import type { PersonDetection } from '../vision/types.js';
import { analyzeGarment, GARMENT_MAX_SIDE } from './analyze.js';
import { cutGarmentOffModel } from './on-model.js';

const fx = listTryOnFixtures();
const skip = fx ? false : 'try-on fixtures not found (FIXTURES_DIR)';

async function load(name: string) {
  const bytes = readFileSync(join(fx!.garmentDir, name));
  const img = await decodeRgb(new Uint8Array(bytes), GARMENT_MAX_SIDE);
  return { bytes, img, det: await detectPerson(img) };
}

describe('garment cut off a model', { skip }, () => {
  for (const [name, dress] of [
    ['on-model-1.jpg', false],
    ['on-model-3.jpg', true],
    ['on-model-4.jpg', false],
  ] as const) {
    it(`${name}: the garment without the model's face, and covering the chest`, async () => {
      const { img, det } = await load(name);
      const { mask, frame } = cutGarmentOffModel(img, det, dress);
      assert.ok(det.face, 'the model has a face');
      // Nothing of the face outline is garment.
      const face = emptyMask(img.width, img.height);
      drawPolygon(
        face,
        det.face!.silhouette.map(([x, y]) => ({ x, y })),
      );
      assert.ok(countMask(face) > 1000);
      assert.equal(countMask(and(mask, face)), 0);
      // The chest (between the shoulders, a third of the way to the hips) is garment.
      const cx = Math.round((frame.lShoulder.x + frame.rShoulder.x) / 2);
      const sy = (frame.lShoulder.y + frame.rShoulder.y) / 2;
      const hy = (frame.lHip.y + frame.rHip.y) / 2;
      const cy = Math.round(sy + (hy - sy) * 0.45);
      assert.equal(mask.data[cy * img.width + cx], 1);
      // A top stops above the thighs: nothing of it far below the hips.
      if (!dress) {
        const low = Math.round(hy + frame.shoulderWidth * 0.3);
        let below = 0;
        for (let p = Math.max(0, low) * img.width; p < img.width * img.height; p++) below += mask.data[p]!;
        assert.equal(below, 0);
      }
    });
  }

  it('refuses a photo with no body', async () => {
    const { img } = await load('on-model-1.jpg');
    const none: PersonDetection = {
      width: img.width,
      height: img.height,
      keypoints: [],
      score: 0,
      mask: null,
      face: null,
    };
    assert.throws(
      () => cutGarmentOffModel(img, none, false),
      (e: unknown) => e instanceof EngineError && e.code === 'GARMENT_NOT_DETECTED',
    );
  });

  it('analyzeGarment: a model on a plain wall goes the on-model way when enabled, a flat-lay stays a flat-lay', async () => {
    const { bytes } = await load('on-model-1.jpg');
    const g = await analyzeGarment({ data: bytes, contentHash: 'om1', role: null }, GARMENT_TITLES['on-model-1.jpg']!, {
      detect: detectPerson,
      onModel: true,
    });
    assert.equal(g.source, 'on-model');
    const flat = readFileSync(join(fx!.garmentDir, 'upper-1.jpg'));
    const f = await analyzeGarment({ data: flat, contentHash: 'u1', role: null }, GARMENT_TITLES['upper-1.jpg']!, {
      detect: detectPerson,
      onModel: true,
    });
    assert.equal(f.source, 'flat-lay');
  });
});
