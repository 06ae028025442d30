import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type BodyFrame, bodyFrame } from '../body/frame.js';
import { parsePerson } from '../body/parsing.js';
import { EngineError } from '../engine.js';
import { fitGarment } from '../fit/fit.js';
import { GARMENT_TITLES } from '../quality/fixtures.js';
import { drawPolygon } from '../raster/draw.js';
import { and, countMask, emptyMask, maskBounds } from '../raster/mask.js';
import { decodeImage, detectPerson } from '../vision/person-detector.js';
import { readGarment, readPerson } from '../vision/test-fixtures.js';
import type { PersonDetection } from '../vision/types.js';
import { analyzeGarment, GARMENT_MAX_SIDE } from './analyze.js';
import { cutGarmentOffModel, fillHemNotches } from './on-model.js';
import { onModelLandmarks } from './on-model-landmarks.js';

async function load(name: string) {
  const bytes = readGarment(name);
  const img = await decodeImage(new Uint8Array(bytes), { maxSide: GARMENT_MAX_SIDE });
  return { bytes, img, det: await detectPerson(img) };
}

describe('garment cut off a model', () => {
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

  it('analyzeGarment: a model on a plain wall goes the on-model way by default, a flat-lay stays a flat-lay', async () => {
    const { bytes } = await load('on-model-1.jpg');
    const g = await analyzeGarment({ data: bytes, contentHash: 'om1', role: null }, GARMENT_TITLES['on-model-1.jpg']!, {
      detect: detectPerson,
    });
    assert.equal(g.source, 'on-model');
    const flat = readGarment('upper-1.jpg');
    const f = await analyzeGarment({ data: flat, contentHash: 'u1', role: null }, GARMENT_TITLES['upper-1.jpg']!, {
      detect: detectPerson,
    });
    assert.equal(f.source, 'flat-lay');
    // Turned off, the on-model photo is refused rather than cut as a flat-lay with the model in it.
    await assert.rejects(
      analyzeGarment({ data: bytes, contentHash: 'om1-off', role: null }, GARMENT_TITLES['on-model-1.jpg']!, {
        detect: detectPerson,
        onModel: false,
      }),
      (e: unknown) => e instanceof EngineError && e.code === 'GARMENT_NOT_DETECTED',
    );
  });
});

describe('garment cut off a model: dresses, arms and length', () => {
  it('on-model-3.jpg: the knit dress keeps its skirt down to the hem (skin-coloured yarn is not bare leg)', async () => {
    const { img, det } = await load('on-model-3.jpg');
    const { mask, frame } = cutGarmentOffModel(img, det, { dress: true, sleeveless: true });
    const b = maskBounds(mask)!;
    const hipY = (frame.lHip.y + frame.rHip.y) / 2;
    // The hem is about 0.8 shoulder widths below the hip keypoints in this photo; it was cut at the hips before.
    assert.ok(b[3] > hipY + frame.shoulderWidth * 0.6, `hem at ${b[3]}, hips at ${hipY}`);
    // The pale crew-neck band is kept (it passed the face's wide skin-colour band and went with the neck): at the
    // body's axis the dress starts at the shoulder line, not a fifth of a shoulder width below it.
    const midX = Math.round((frame.lShoulder.x + frame.rShoulder.x) / 2);
    const shY = (frame.lShoulder.y + frame.rShoulder.y) / 2;
    let top = 0;
    while (top < img.height && !mask.data[top * img.width + midX]) top++;
    assert.ok(top < shY + frame.shoulderWidth * 0.05, `neckline at ${top}, shoulders at ${shY}`);
    // No leg hangs below it as a narrow stalk: the last row is still most of the hips wide.
    let last = 0;
    for (let x = 0; x < img.width; x++) last += mask.data[b[3] * img.width + x]!;
    assert.ok(last > Math.abs(frame.rHip.x - frame.lHip.x) * 0.6, `last row ${last} px`);
  });

  it("on-model-4.jpg: a sleeveless tank has none of the model's arms on it", async () => {
    const { img, det } = await load('on-model-4.jpg');
    const { mask, frame } = cutGarmentOffModel(img, det, { dress: false, sleeveless: true });
    const w = img.width;
    // Across each upper arm, from a fifth of the way down to the elbow: bare skin in the photo, and the shadowed
    // armhole beside the image-left arm. The model is turned, so the tank's side seam runs along the inner half of
    // her other arm: there only the outer half is tested.
    const sw = frame.shoulderWidth;
    for (const [s, e, out, from] of [
      [frame.lShoulder, frame.lElbow, -1, -0.12],
      [frame.rShoulder, frame.rElbow, 1, 0.05],
    ] as const) {
      assert.ok(e, 'elbow seen');
      let on = 0;
      let all = 0;
      for (let t = 0.2; t <= 1; t += 0.02) {
        const x = Math.round(s.x + (e!.x - s.x) * t);
        const y = Math.round(s.y + (e!.y - s.y) * t);
        for (let d = Math.round(sw * from); d <= sw * 0.13; d++) {
          all++;
          on += mask.data[y * w + x + out * d]!;
        }
      }
      assert.ok(on / all < 0.05, `${on} of ${all} arm pixels on the garment`);
    }
  });

  it('analyzeGarment keeps the model body, and the fit puts an on-model dress hem well below the hips', async () => {
    const { bytes } = await load('on-model-3.jpg');
    const g = await analyzeGarment({ data: bytes, contentHash: 'om3', role: null }, GARMENT_TITLES['on-model-3.jpg']!, {
      detect: detectPerson,
    });
    assert.equal(g.source, 'on-model');
    assert.equal(g.cls.category, 'dress');
    assert.ok(g.model?.hipsSeen);
    const person = await decodeImage(readPerson('woman-1.jpg'));
    const det = await detectPerson(person);
    const frame = bodyFrame(det)!;
    const parsing = parsePerson(person, det, frame, { lower: true });
    const { targets } = fitGarment(g, parsing);
    const shY = (frame.lShoulder.y + frame.rShoulder.y) / 2;
    const hipY = (frame.lHip.y + frame.rHip.y) / 2;
    // On the model the hem sits ~1.8 torso lengths below the shoulders: a mini dress, not a tunic at the hips.
    const t = (targets.hemCenter.y - shY) / (hipY - shY);
    assert.ok(t > 1.5 && t < 2.2, `hem at ${t.toFixed(2)} torso lengths`);
  });
});

describe('garment cut off a model: landmarks from the model body', () => {
  it('on-model-1.jpg: shoulder corners on the garment and near the joints, hem at the hips, both sleeves', async () => {
    const { img, det } = await load('on-model-1.jpg');
    const { mask, frame } = cutGarmentOffModel(img, det, { dress: false });
    const lm = onModelLandmarks(mask, frame)!;
    const sw = frame.shoulderWidth;
    const near = (p: { x: number; y: number }) => {
      for (let dy = -3; dy <= 3; dy++)
        for (let dx = -3; dx <= 3; dx++)
          if (mask.data[(Math.round(p.y) + dy) * img.width + Math.round(p.x) + dx]) return true;
      return false;
    };
    for (const [c, joint] of [
      [lm.shoulderLeft, frame.lShoulder],
      [lm.shoulderRight, frame.rShoulder],
    ] as const) {
      assert.ok(near(c), `corner ${c.x},${c.y} on the garment`);
      assert.ok(Math.hypot(c.x - joint.x, c.y - joint.y) < sw * 0.4, 'corner near the shoulder joint');
    }
    const hipY = (frame.lHip.y + frame.rHip.y) / 2;
    assert.ok(Math.abs(lm.hemCenter.y - hipY) < sw * 0.2, `hem ${lm.hemCenter.y} vs hips ${hipY}`);
    assert.ok(lm.neck.y < lm.armpitLeft.y && lm.neck.y < lm.armpitRight.y);
    assert.ok(lm.sleeveLeft && lm.sleeveRight, 'short sleeves found on both sides');
    // Short sleeves, lying along the upper arms: under a shoulder width long, pointing within 25° of shoulder → elbow
    // (the shirt's side below a hanging sleeve was taken for sleeve, and one "sleeve" reached the hem).
    for (const [s, joint, elbow] of [
      [lm.sleeveLeft!, frame.lShoulder, frame.lElbow!],
      [lm.sleeveRight!, frame.rShoulder, frame.rElbow!],
    ] as const) {
      assert.ok(s.length < sw * 0.95, `sleeve ${s.length.toFixed(0)} px long, shoulders ${sw.toFixed(0)} px`);
      const a = Math.atan2(s.end.y - s.root.y, s.end.x - s.root.x);
      const b = Math.atan2(elbow.y - joint.y, elbow.x - joint.x);
      assert.ok(Math.abs(a - b) < (25 * Math.PI) / 180, 'along the arm');
    }
  });

  it('on-model-4.jpg: a tank by its words gets strap corners on the garment, above its armholes, and no sleeves', async () => {
    const { bytes } = await load('on-model-4.jpg');
    const g = await analyzeGarment({ data: bytes, contentHash: 'om4', role: null }, GARMENT_TITLES['on-model-4.jpg']!, {
      detect: detectPerson,
    });
    assert.equal(g.cls.sleeve, 'none');
    const lm = g.landmarks;
    assert.equal(lm.sleeveLeft, null);
    assert.equal(lm.sleeveRight, null);
    for (const [c, armpit] of [
      [lm.shoulderLeft, lm.armpitLeft],
      [lm.shoulderRight, lm.armpitRight],
    ] as const) {
      assert.equal(
        g.mask.data[Math.round(c.y) * g.mask.width + Math.round(c.x)],
        1,
        `corner ${c.x},${c.y} on the tank`,
      );
      assert.ok(c.y < armpit.y, 'strap above the armhole');
    }
  });

  it('on-model-2.jpg: a white shirt on a white wall keeps both sleeves and ends at the knot, above the midriff', async () => {
    const { img, det } = await load('on-model-2.jpg');
    const { mask, frame } = cutGarmentOffModel(img, det, { dress: false });
    const w = img.width;
    // The short sleeves cover the upper arms a third of the way from the shoulder to the elbow.
    for (const [s, e] of [
      [frame.lShoulder, frame.lElbow],
      [frame.rShoulder, frame.rElbow],
    ] as const) {
      const x = Math.round(s.x + (e!.x - s.x) * 0.33);
      const y = Math.round(s.y + (e!.y - s.y) * 0.33);
      assert.equal(mask.data[y * w + x], 1, `sleeve at ${x},${y}`);
    }
    // The bare midriff and the shorts of the same print below it are not the shirt.
    const b = maskBounds(mask)!;
    const hipY = (frame.lHip.y + frame.rHip.y) / 2;
    assert.ok(b[3] < hipY - frame.shoulderWidth * 0.2, `bottom ${b[3]}, hips ${hipY}`);
  });
});

describe('hem notches of an on-model cut-out', () => {
  it('fills a hand-sized bite in a skirt side with the garment colour, and leaves the gap between two legs', () => {
    const w = 200;
    const h = 200;
    const img = { data: new Uint8Array(w * h * 3), width: w, height: h, channels: 3 as const };
    const mask = emptyMask(w, h);
    // A skirt from x 40…160 below y 60, bitten from x 40 to 60 over rows 120…135 (a hand); below y 170 two legs
    // 40…80 and 120…160, 40 px apart (more than 0.35 × 100 px shoulder width).
    for (let y = 60; y < h; y++) {
      for (let x = 40; x <= 160; x++) {
        const bite = y >= 120 && y < 136 && x < 60;
        const legGap = y >= 170 && x > 80 && x < 120;
        if (bite || legGap) {
          img.data.set([200, 150, 120], (y * w + x) * 3);
          continue;
        }
        mask.data[y * w + x] = 1;
        img.data.set([20, 40, 200], (y * w + x) * 3);
      }
    }
    const frame = {
      lShoulder: { x: 50, y: 0 },
      rShoulder: { x: 150, y: 0 },
      lHip: { x: 70, y: 90 },
      rHip: { x: 130, y: 90 },
      shoulderWidth: 100,
    } as unknown as BodyFrame;
    const { image, mask: filled } = fillHemNotches(img, mask, frame);
    const p = 128 * w + 45;
    assert.equal(filled.data[p], 1, 'the bite is garment');
    assert.deepEqual([...image.data.subarray(p * 3, p * 3 + 3)], [20, 40, 200], 'in the garment colour');
    assert.equal(filled.data[185 * w + 100], 0, 'the gap between the legs stays open');
  });
});
