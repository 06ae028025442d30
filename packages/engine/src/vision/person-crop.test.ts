import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import sharp from 'sharp';
import { EngineError } from '../engine.js';
import { personAwareCrop, renderCrop, scaleCropWindow } from './person-crop.js';
import { decodeImage, detectPerson, KEYPOINT_MIN_SCORE } from './person-detector.js';
import { HALF_BODY_PERSON, maskBounds, readPerson, STUDIO_PERSONS } from './test-fixtures.js';
import type { CropWindow, PersonDetection, RawImage } from './types.js';

const images = new Map<string, RawImage>();
const detections = new Map<string, PersonDetection>();

before(async () => {
  for (const name of [...STUDIO_PERSONS, HALF_BODY_PERSON]) {
    const image = await decodeImage(readPerson(name));
    images.set(name, image);
    detections.set(name, await detectPerson(image));
  }
});

/** Maps a source point through the window to output pixels. */
function toOutput(w: CropWindow, out: { width: number; height: number }, x: number, y: number): [number, number] {
  const s = out.height / w.height;
  return [(x - w.left) * s, (y - w.top) * s];
}

const inside = (out: { width: number; height: number }, [x, y]: [number, number]) =>
  x >= 0 && y >= 0 && x <= out.width && y <= out.height;

describe('personAwareCrop + renderCrop on the person fixtures', () => {
  for (const name of [...STUDIO_PERSONS, HALF_BODY_PERSON]) {
    test(`${name}: exact 4:5, the head top, the feet or lowest visible part and every seen keypoint are in`, async () => {
      const d = detections.get(name)!;
      const w = personAwareCrop(d);
      assert.equal(w.basis, 'body');
      assert.equal(w.width * 5, w.height * 4, 'window is exactly 4:5');
      assert.ok(Number.isInteger(w.left) && Number.isInteger(w.top) && Number.isInteger(w.width));
      const out = await renderCrop(readPerson(name), w);
      assert.equal(out.width * 5, out.height * 4, 'output is exactly 4:5');
      assert.ok(out.height <= 2048 && out.height <= w.height, 'capped, never upscaled');
      const meta = await sharp(out.data).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', out.width, out.height]);

      const [mx0, my0, mx1, my1] = maskBounds(d.mask!);
      // Head top and lowest visible part: the topmost and bottommost mask rows, wherever they are.
      const topRow = my0;
      const bottomRow = my1;
      const head = toOutput(w, out, (mx0 + mx1) / 2, topRow);
      const feet = toOutput(w, out, (mx0 + mx1) / 2, bottomRow + 1);
      assert.ok(head[1] >= 0, `head top at output y ${head[1]}`);
      assert.ok(feet[1] <= out.height + 0.5, `lowest visible part at output y ${feet[1]} of ${out.height}`);
      for (const k of d.keypoints) {
        if (k.score < KEYPOINT_MIN_SCORE || k.y < 0 || k.y > d.height || k.x < 0 || k.x > d.width) continue;
        assert.ok(inside(out, toOutput(w, out, k.x, k.y)), `${k.part} falls outside the crop`);
      }
      assert.ok(d.face);
      const [fx, fy, fw, fh] = d.face.box;
      assert.ok(inside(out, toOutput(w, out, fx, fy)) && inside(out, toOutput(w, out, fx + fw, fy + fh)), 'face box');
    });
  }

  for (const name of STUDIO_PERSONS) {
    test(`${name}: the whole person fits; padding sideways only`, () => {
      const d = detections.get(name)!;
      const w = personAwareCrop(d);
      const [mx0, , mx1] = maskBounds(d.mask!);
      assert.ok(w.left <= mx0 && w.left + w.width >= mx1 + 1, 'the whole silhouette width is in');
      // 768x1024 is narrower than 4:5: a head-to-toe window is padded at the sides, not cut at the top or bottom.
      assert.ok(w.left < 0 || w.left + w.width > d.width, 'padded sideways');
      // (up to 4 px: rounding the window to a multiple of 4x5 may add a strip that thin)
      assert.ok(w.top >= -4 && w.top + w.height <= d.height + 4, 'no padding above or below');
      if (w.top + w.height > d.height) assert.ok(w.top === 0 && d.height - w.top - w.height >= -4);
      assert.ok(w.height >= 0.99 * d.height, 'keeps (nearly) the full height');
    });
  }

  test('full-length photos keep the feet with room below the ankles', () => {
    for (const name of ['woman-1.jpg', 'woman-2.png']) {
      const d = detections.get(name)!;
      const w = personAwareCrop(d);
      const ankles = d.keypoints.filter((k) => k.part.endsWith('Ankle'));
      assert.ok(ankles.every((k) => k.score >= KEYPOINT_MIN_SCORE));
      assert.ok(w.top + w.height >= Math.max(...ankles.map((k) => k.y)) + 0.03 * d.height, name);
    }
  });

  test('the half-body astronaut is framed head to waist without padding', () => {
    const d = detections.get(HALF_BODY_PERSON)!;
    const w = personAwareCrop(d);
    // Up to 4 px of rounding strip, and it goes above the head: the frame cuts the body at the bottom.
    assert.ok(w.left >= 0 && w.top >= -4 && w.left + w.width <= 512 && w.top + w.height === 512, JSON.stringify(w));
    assert.ok(w.height >= 500, 'uses (nearly) the full height: the body continues below the frame');
    const [mx0, my0] = maskBounds(d.mask!);
    assert.ok(w.top <= my0 && mx0 >= 0);
  });

  test('studio padding repeats the plain backdrop (no blur, no black bars)', async () => {
    const name = 'man-2.png';
    const w = personAwareCrop(detections.get(name)!);
    const padLeft = -w.left;
    assert.ok(padLeft > 4);
    const out = await renderCrop(images.get(name)!, w, { format: 'raw' });
    let diff = 0;
    for (let y = 0; y < out.height; y++) {
      for (let c = 0; c < 3; c++)
        diff += Math.abs(out.data[y * out.width * 3 + c]! - out.data[(y * out.width + padLeft) * 3 + c]!);
    }
    assert.ok(diff / (out.height * 3) < 1, `padded column differs from the image edge by ${diff / (out.height * 3)}`);
  });

  test('encoded bytes and the decoded RawImage crop to the same pixels', async () => {
    const name = 'woman-3.png';
    const w = personAwareCrop(detections.get(name)!);
    const a = await renderCrop(readPerson(name), w, { format: 'raw' });
    const b = await renderCrop(images.get(name)!, w, { format: 'raw' });
    assert.deepEqual([a.width, a.height], [b.width, b.height]);
    assert.ok(a.data.equals(b.data));
  });
});

describe('fallbacks', () => {
  const empty = (width: number, height: number): PersonDetection => ({
    width,
    height,
    keypoints: [],
    score: 0,
    mask: { data: new Uint8Array(width * height), width, height },
    face: null,
  });

  test('a uniform image gives the largest centred 4:5 window, basis center', async () => {
    const blank: RawImage = { data: new Uint8Array(1000 * 800 * 3).fill(90), width: 1000, height: 800, channels: 3 };
    const d = await detectPerson(blank);
    const w = personAwareCrop(d);
    assert.deepEqual(w, { left: 180, top: 0, width: 640, height: 800, basis: 'center' });
    const out = await renderCrop(blank, w, { format: 'png' });
    assert.deepEqual([out.width, out.height], [640, 800]);
    assert.deepEqual(personAwareCrop(empty(400, 1000)), {
      left: 0,
      top: 250,
      width: 400,
      height: 500,
      basis: 'center',
    });
  });

  test('no body but a face: a head-and-shoulders window around the face, inside the image', () => {
    const d: PersonDetection = { ...empty(1200, 900), face: { box: [700, 200, 120, 150], score: 0.9, silhouette: [] } };
    const w = personAwareCrop(d);
    assert.equal(w.basis, 'face');
    assert.equal(w.width * 5, w.height * 4);
    assert.ok(w.left <= 700 && w.left + w.width >= 820 && w.top <= 200 && w.top + w.height >= 350);
    assert.ok(w.left >= 0 && w.top >= 0 && w.left + w.width <= 1200 && w.top + w.height <= 900);
    assert.ok(w.height >= 3 * 150, 'more than the face alone');
  });
});

describe('renderCrop limits', () => {
  test('long side capped at 2048 with exact 4:5; small windows are not upscaled', async () => {
    const big: RawImage = { data: new Uint8Array(3000 * 4200 * 3).fill(128), width: 3000, height: 4200, channels: 3 };
    const w = personAwareCrop({ width: 3000, height: 4200, keypoints: [], score: 0, mask: null, face: null });
    assert.deepEqual([w.width, w.height], [3000, 3750]);
    const out = await renderCrop(big, w, { format: 'raw' });
    assert.deepEqual([out.width, out.height], [1636, 2045]);
    assert.equal(out.data.length, 1636 * 2045 * 3);
    const small = await renderCrop(big, { left: 10, top: 10, width: 40, height: 50, basis: 'center' });
    assert.deepEqual([small.width, small.height], [40, 50]);
  });

  test('padding can extend past every edge and the size stays exact', async () => {
    const img: RawImage = { data: new Uint8Array(100 * 100 * 3).fill(200), width: 100, height: 100, channels: 3 };
    const out = await renderCrop(
      img,
      { left: -30, top: -60, width: 160, height: 200, basis: 'body' },
      { format: 'raw' },
    );
    assert.deepEqual([out.width, out.height], [160, 200]);
    assert.ok(
      out.data.every((v) => v === 200),
      'edge copy of a uniform image is uniform',
    );
  });

  test('refuses windows that are not 4:5 or miss the image', async () => {
    const img: RawImage = { data: new Uint8Array(10 * 10 * 3), width: 10, height: 10, channels: 3 };
    const isInvalid = (err: unknown) => err instanceof EngineError && err.code === 'INVALID_IMAGE';
    await assert.rejects(renderCrop(img, { left: 0, top: 0, width: 5, height: 5, basis: 'center' }), isInvalid);
    await assert.rejects(renderCrop(img, { left: 50, top: 0, width: 4, height: 5, basis: 'center' }), isInvalid);
    await assert.rejects(
      renderCrop(new Uint8Array([9, 9, 9]), { left: 0, top: 0, width: 4, height: 5, basis: 'center' }),
      isInvalid,
    );
  });

  test('scaleCropWindow keeps 4:5 and the centre', () => {
    const w = scaleCropWindow({ left: -12, top: 4, width: 816, height: 1020, basis: 'body' }, 2.5);
    assert.equal(w.width * 5, w.height * 4);
    assert.ok(Math.abs(w.left + w.width / 2 - 396 * 2.5) <= 1 && Math.abs(w.top + w.height / 2 - 514 * 2.5) <= 1);
  });
});
