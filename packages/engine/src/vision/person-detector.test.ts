import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import sharp from 'sharp';
import { EngineError } from '../engine.js';
import { decodeImage, detectPerson, KEYPOINT_MIN_SCORE } from './person-detector.js';
import { HALF_BODY_PERSON, maskBounds, readPerson, STUDIO_PERSONS } from './test-fixtures.js';
import type { Keypoint, KeypointName, Mask, PersonDetection, RawImage } from './types.js';

const images = new Map<string, RawImage>();
const detections = new Map<string, PersonDetection>();

before(async () => {
  for (const name of [...STUDIO_PERSONS, HALF_BODY_PERSON]) {
    const image = await decodeImage(readPerson(name));
    images.set(name, image);
    detections.set(name, await detectPerson(image));
  }
});

/** Fixtures that show the whole person down to the feet (the others stop at the knees or thighs). */
const FULL_LENGTH = new Set(['woman-1.jpg', 'woman-2.png']);

const kp = (d: PersonDetection, part: KeypointName): Keypoint => d.keypoints.find((k) => k.part === part)!;
const seen = (d: PersonDetection, part: KeypointName) => kp(d, part).score >= KEYPOINT_MIN_SCORE;

/** Largest mask value within `r` px of (x, y): keypoints sit on joints, which can be right at the silhouette edge. */
function maskNear(mask: Mask, x: number, y: number, r = 4): number {
  let best = 0;
  for (let dy = -r; dy <= r; dy++) {
    for (let dx = -r; dx <= r; dx++) {
      const xx = Math.round(x) + dx;
      const yy = Math.round(y) + dy;
      if (xx < 0 || yy < 0 || xx >= mask.width || yy >= mask.height) continue;
      best = Math.max(best, mask.data[yy * mask.width + xx]!);
    }
  }
  return best;
}

const meanY = (d: PersonDetection, a: KeypointName, b: KeypointName) => {
  const pts = [kp(d, a), kp(d, b)].filter((k) => k.score >= KEYPOINT_MIN_SCORE);
  return pts.length === 0 ? null : pts.reduce((s, k) => s + k.y, 0) / pts.length;
};

describe('detectPerson on the studio fixtures', () => {
  for (const name of STUDIO_PERSONS) {
    test(`${name}: a body, 17 keypoints inside the person mask, in anatomical order`, () => {
      const d = detections.get(name)!;
      assert.equal(d.width, 768);
      assert.equal(d.height, 1024);
      assert.ok(d.score >= 0.6, `body score ${d.score}`);
      assert.deepEqual(
        d.keypoints.map((k) => k.part),
        [...new Set(d.keypoints.map((k) => k.part))],
      );
      assert.equal(d.keypoints.length, 17);
      assert.ok(d.mask);
      assert.equal(d.mask.width, 768);
      assert.equal(d.mask.height, 1024);
      assert.equal(d.mask.data.length, 768 * 1024);
      let checked = 0;
      for (const k of d.keypoints) {
        if (k.score < KEYPOINT_MIN_SCORE || k.x < 0 || k.y < 0 || k.x >= d.width || k.y >= d.height) continue;
        checked++;
        assert.ok(
          maskNear(d.mask, k.x, k.y) >= 128,
          `${k.part} at ${k.x.toFixed(0)},${k.y.toFixed(0)} is off the mask`,
        );
      }
      assert.ok(checked >= 12, `only ${checked} confident keypoints`);
      for (const part of ['leftShoulder', 'rightShoulder', 'leftHip', 'rightHip'] as const) {
        assert.ok(seen(d, part), `${part} not seen`);
      }
      const order = [
        meanY(d, 'leftEye', 'rightEye') ?? meanY(d, 'leftEar', 'rightEar'),
        meanY(d, 'leftShoulder', 'rightShoulder'),
        meanY(d, 'leftHip', 'rightHip'),
        meanY(d, 'leftKnee', 'rightKnee'),
        meanY(d, 'leftAnkle', 'rightAnkle'),
      ].filter((y): y is number => y !== null);
      assert.ok(order.length >= 3, 'head, shoulders and hips at least');
      if (FULL_LENGTH.has(name)) assert.equal(order.length, 5, 'knees and ankles seen on a full-length photo');
      for (let i = 1; i < order.length; i++) assert.ok(order[i - 1]! < order[i]!, `out of order: ${order.join(' ')}`);
      // Facing the camera: the person's left side is on the image's right.
      assert.ok(kp(d, 'leftShoulder').x > kp(d, 'rightShoulder').x);
      assert.ok(kp(d, 'leftHip').x > kp(d, 'rightHip').x);
    });

    test(`${name}: the face box lies in the upper part of the person, with a silhouette`, () => {
      const d = detections.get(name)!;
      assert.ok(d.face, 'no face');
      assert.ok(d.face.score >= 0.5);
      const [x0, y0, x1, y1] = maskBounds(d.mask!);
      const [fx, fy, fw, fh] = d.face.box;
      const cx = fx + fw / 2;
      const cy = fy + fh / 2;
      assert.ok(cx > x0 && cx < x1, 'face centre inside the person horizontally');
      assert.ok(cy >= y0 && cy < y0 + 0.3 * (y1 - y0), `face centre ${cy} not in the top 30 % of ${y0}..${y1}`);
      assert.ok(fh < 0.4 * (y1 - y0), 'face smaller than 40 % of the person');
      assert.ok(maskNear(d.mask!, cx, cy, 0) >= 128, 'face centre on the person mask');
      assert.ok(cy < meanY(d, 'leftShoulder', 'rightShoulder')!, 'face above the shoulders');
      assert.equal(d.face.silhouette.length, 36);
      // The mesh extrapolates a face cut by the frame (woman-1's crown is outside): judge the points in the image.
      const inImage = d.face.silhouette.filter(([x, y]) => x >= 0 && y >= 0 && x < d.width && y < d.height);
      assert.ok(inImage.length >= 18);
      const inBox = inImage.filter(
        ([x, y]) => x >= fx - 0.1 * fw && x <= fx + 1.1 * fw && y >= fy - 0.1 * fh && y <= fy + 1.1 * fh,
      );
      assert.ok(inBox.length >= inImage.length - 2, `${inBox.length}/${inImage.length} silhouette points near the box`);
    });
  }

  test('the person mask is soft and covers a plausible share of a studio photo', () => {
    for (const name of STUDIO_PERSONS) {
      const { mask } = detections.get(name)!;
      let on = 0;
      let soft = 0;
      for (const v of mask!.data) {
        if (v >= 128) on++;
        if (v > 10 && v < 245) soft++;
      }
      const share = on / mask!.data.length;
      assert.ok(share > 0.12 && share < 0.6, `${name}: mask share ${share}`);
      assert.ok(soft > 0, `${name}: the upscaled mask should have soft edges`);
    }
  });
});

test('half-body astronaut: body and face found, legs not seen', () => {
  const d = detections.get(HALF_BODY_PERSON)!;
  assert.equal(d.width, 512);
  assert.equal(d.mask!.width, 512);
  assert.ok(d.score >= 0.5);
  assert.ok(seen(d, 'leftShoulder') && seen(d, 'rightShoulder'));
  for (const part of ['leftKnee', 'rightKnee', 'leftAnkle', 'rightAnkle'] as const) assert.ok(!seen(d, part), part);
  assert.ok(d.face);
  assert.ok(d.face.box[1] + d.face.box[3] < kp(d, 'leftShoulder').y);
});

test('a uniform image and a noise image have no person', async () => {
  const blank: RawImage = { data: new Uint8Array(640 * 800 * 3).fill(180), width: 640, height: 800, channels: 3 };
  let seed = 7;
  const noiseData = new Uint8Array(640 * 800 * 3).map(() => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed >>> 24;
  });
  for (const image of [blank, { ...blank, data: noiseData }]) {
    const d = await detectPerson(image);
    assert.deepEqual(d.keypoints, []);
    assert.equal(d.score, 0);
    assert.equal(d.face, null);
    assert.equal(d.mask!.width, 640);
    assert.equal(d.mask!.data.filter((v) => v >= 128).length, 0);
  }
});

test('results depend on the image only, not on what was analysed before', async () => {
  // Human's own body pipeline returns the previous image's keypoints when the new ones are close: ours must not.
  const y = images.get('man-2.png')!;
  const blank: RawImage = { data: new Uint8Array(768 * 1024 * 3).fill(255), width: 768, height: 1024, channels: 3 };
  await detectPerson(images.get('man-1.png')!);
  const afterSimilar = await detectPerson(y);
  await detectPerson(blank);
  const afterBlank = await detectPerson(y);
  assert.deepEqual(afterSimilar.keypoints, afterBlank.keypoints);
  assert.deepEqual(afterSimilar.face, afterBlank.face);
  assert.deepEqual(afterSimilar.mask!.data, afterBlank.mask!.data);
  assert.deepEqual(afterBlank.keypoints, detections.get('man-2.png')!.keypoints);
});

test('concurrent calls in one thread are serialised and give the same results', async () => {
  const names = ['woman-2.png', 'man-1.png', 'woman-2.png'];
  const results = await Promise.all(names.map((n) => detectPerson(images.get(n)!)));
  results.forEach((r, i) => {
    assert.deepEqual(r.keypoints, detections.get(names[i]!)!.keypoints);
  });
});

test('an RGBA image gives the same analysis as its RGB pixels', async () => {
  const rgb = images.get('woman-1.jpg')!;
  const rgba = new Uint8Array(rgb.width * rgb.height * 4);
  for (let i = 0; i < rgb.width * rgb.height; i++) {
    rgba.set(rgb.data.subarray(i * 3, i * 3 + 3), i * 4);
    rgba[i * 4 + 3] = 255;
  }
  const d = await detectPerson({ data: rgba, width: rgb.width, height: rgb.height, channels: 4 });
  assert.deepEqual(d.keypoints, detections.get('woman-1.jpg')!.keypoints);
});

describe('decodeImage', () => {
  test('decodes to RGB, applies EXIF orientation, and can bound the size', async () => {
    const png = await sharp({ create: { width: 40, height: 20, channels: 4, background: '#ff000080' } })
      .png()
      .toBuffer();
    const img = await decodeImage(png);
    assert.deepEqual([img.width, img.height, img.channels, img.data.length], [40, 20, 3, 40 * 20 * 3]);
    // Half-transparent red flattened on white.
    assert.ok(img.data[0]! > 250 && img.data[1]! > 100 && img.data[1]! < 160);
    const rotated = await sharp({ create: { width: 40, height: 20, channels: 3, background: '#00ff00' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const r = await decodeImage(rotated);
    assert.deepEqual([r.width, r.height], [20, 40]);
    const small = await decodeImage(readPerson('man-1.png'), { maxSide: 512 });
    assert.deepEqual([small.width, small.height], [384, 512]);
  });

  test('garbage is INVALID_IMAGE', async () => {
    await assert.rejects(
      decodeImage(new Uint8Array([1, 2, 3, 4, 5])),
      (err: unknown) => err instanceof EngineError && err.code === 'INVALID_IMAGE',
    );
  });
});
