/**
 * The engine's checks on real photos: the open-jacket detection on a photo with a jacket painted on (and not on the
 * unmodified photos), and strict against lenient through the engine (in process and on a worker thread): the same
 * input fails with the code in strict mode and is drawn, the finding in its diagnostics, in lenient mode.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { bodyFrame } from '../body/frame.js';
import { openLayerMeasures, outfitFindings } from '../body/outfit-checks.js';
import { parsePerson } from '../body/parsing.js';
import { type CheckFinding, EngineError, type TryOnInput, type TryOnOutput } from '../engine.js';
import { CompositeEngine } from '../engines/composite-engine.js';
import { createEnginePool } from '../engines/engine-pool.js';
import { analyzeGarment } from '../garment/analyze.js';
import { GARMENT_TITLES } from '../quality/fixtures.js';
import { drawCapsule, drawPolygon } from '../raster/draw.js';
import { emptyMask } from '../raster/mask.js';
import { decodeImage, detectPerson } from '../vision/person-detector.js';
import { readGarment, readPerson, TEST_PHOTOS_DIR } from '../vision/test-fixtures.js';
import type { PersonDetection, RawImage } from '../vision/types.js';
import { composeTryOn } from './compose.js';
import { REFUSE_ARM_SHARE } from './result-checks.js';

/**
 * An open jacket painted on the photo: long sleeves along both arms and two front panels from the shoulders to below
 * the hips, leaving a band of the photo's own top `bandHalfSw` shoulder widths either side of the midline. The
 * photo's light and folds are kept as shading.
 */
function paintOpenJacket(
  img: RawImage,
  det: PersonDetection,
  rgb: [number, number, number],
  bandHalfSw = 0.17,
): RawImage {
  const f = bodyFrame(det)!;
  const sw = f.shoulderWidth;
  const { width: w, height: h, channels: ch } = img;
  const jacket = emptyMask(w, h);
  for (const [s, e, wr] of [
    [f.lShoulder, f.lElbow, f.lWrist],
    [f.rShoulder, f.rElbow, f.rWrist],
  ] as const) {
    if (e) drawCapsule(jacket, s, e, sw * 0.22);
    if (e && wr) drawCapsule(jacket, e, wr, sw * 0.17);
  }
  const sy = (f.lShoulder.y + f.rShoulder.y) / 2;
  const hy = (f.lHip.y + f.rHip.y) / 2 + sw * 0.25;
  drawPolygon(jacket, [
    { x: f.lShoulder.x - sw * 0.3, y: sy - sw * 0.12 },
    { x: f.rShoulder.x + sw * 0.3, y: sy - sw * 0.12 },
    { x: f.rHip.x + sw * 0.5, y: hy },
    { x: f.lHip.x - sw * 0.5, y: hy },
  ]);
  const out = new Uint8Array(img.data);
  const mx = (f.lShoulder.x + f.rShoulder.x) / 2;
  const hx = (f.lHip.x + f.rHip.x) / 2;
  const chinY = det.face ? det.face.box[1] + det.face.box[3] : sy - sw * 0.35;
  for (let y = Math.ceil(chinY); y < h; y++) {
    const cx = mx + (hx - mx) * Math.max(0, Math.min(1, (y - sy) / (hy - sy)));
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (!jacket.data[p] || (det.mask?.data[p] ?? 0) < 128) continue;
      if (Math.abs(x - cx) < sw * bandHalfSw && y > sy - sw * 0.12) continue; // the shirt between the fronts
      const l = (0.299 * img.data[p * ch]! + 0.587 * img.data[p * ch + 1]! + 0.114 * img.data[p * ch + 2]!) / 255;
      for (let c = 0; c < 3; c++) out[p * ch + c] = Math.min(255, Math.round(rgb[c]! * (0.75 + 0.5 * l)));
    }
  }
  return { ...img, data: out };
}

const CHARCOAL: [number, number, number] = [45, 45, 52];
const NAVY: [number, number, number] = [30, 40, 80];

async function photo(name: string) {
  const img = await decodeImage(readPerson(name));
  return { img, det: await detectPerson(img) };
}

/** woman-2 (white tank top, bare arms) in a painted open charcoal jacket, as PNG bytes. */
let jacketPng: Promise<Buffer> | null = null;
function openJacketPhoto(): Promise<Buffer> {
  jacketPng ??= photo('woman-2.png').then(({ img, det }) => {
    const p = paintOpenJacket(img, det, CHARCOAL);
    return sharp(Buffer.from(p.data), { raw: { width: p.width, height: p.height, channels: p.channels } })
      .png()
      .toBuffer();
  });
  return jacketPng;
}

const TEE_WORDS = { title: 'Les Deux Alpes T-shirt', description: 'Black cotton tee with a ski print.' };
const tee = () => ({ data: readGarment('upper-4.jpg'), contentHash: 'upper-4', role: null });
const input = (person: Uint8Array, checks?: TryOnInput['checks']): TryOnInput => ({
  person,
  product: { ...TEE_WORDS, images: [tee()] },
  ...(checks ? { checks } : {}),
});

async function outcome(p: Promise<TryOnOutput>): Promise<{ code: string | null; out: TryOnOutput | null }> {
  try {
    return { code: null, out: await p };
  } catch (err) {
    assert.ok(err instanceof EngineError, String(err));
    return { code: err.code, out: null };
  }
}

const findingsOf = (out: TryOnOutput | null) =>
  (out?.diagnostics?.checks as { mode: string; findings: CheckFinding[] } | undefined) ?? null;

describe('open jacket (UNSUPPORTED_OUTFIT)', () => {
  it('fires on a photo with an open jacket painted on: long sleeves, two dark fronts, a light band', async () => {
    for (const [name, colour] of [
      ['woman-2.png', CHARCOAL],
      ['man-1.png', NAVY],
    ] as const) {
      const { img, det } = await photo(name);
      const painted = paintOpenJacket(img, det, colour);
      const det2 = await detectPerson(painted);
      const parsing = parsePerson(painted, det2, bodyFrame(det2)!);
      const m = openLayerMeasures(painted, parsing);
      assert.ok(m.open, `${name}: ${JSON.stringify(m)}`);
      assert.ok(m.bandWidthSw! > 0.25 && m.bandWidthSw! < 0.45, `band ${m.bandWidthSw} (painted 0.34)`);
      const found = outfitFindings(painted, parsing);
      assert.equal(found.length, 1);
      assert.equal(found[0]!.code, 'UNSUPPORTED_OUTFIT');
      assert.equal(found[0]!.severity, 'refuse');
      assert.match(found[0]!.message, /open jacket/);
    }
  });

  it('does not fire on a closed jacket: the same paint without the band', async () => {
    const { img, det } = await photo('woman-2.png');
    const closed = paintOpenJacket(img, det, CHARCOAL, 0);
    const det2 = await detectPerson(closed);
    const m = openLayerMeasures(closed, parsePerson(closed, det2, bodyFrame(det2)!));
    assert.equal(m.open, false);
    assert.ok(m.openRows < 0.2, `rows ${m.openRows}`);
  });

  it('does not fire on the unmodified photos (01861_00: a long-sleeved red top with a square neckline)', async () => {
    const names = readdirSync(`${TEST_PHOTOS_DIR}person/`).filter((n) => /\.(png|jpe?g)$/.test(n));
    assert.ok(names.length >= 6 && names.includes('01861_00.jpg'));
    for (const name of names) {
      const { img, det } = await photo(name);
      const parsing = parsePerson(img, det, bodyFrame(det)!);
      assert.deepEqual(outfitFindings(img, parsing), [], name);
    }
  });
});

describe('strict or lenient, through the engine', () => {
  const engine = new CompositeEngine();
  after(() => engine.close());

  it('an open jacket: strict (the default) refuses with UNSUPPORTED_OUTFIT, lenient draws it and reports why', async () => {
    const person = await openJacketPhoto();
    assert.equal((await outcome(engine.tryOn(input(person)))).code, 'UNSUPPORTED_OUTFIT');
    assert.equal((await outcome(engine.tryOn(input(person, 'strict')))).code, 'UNSUPPORTED_OUTFIT');
    const lenient = await outcome(engine.tryOn(input(person, 'lenient')));
    assert.equal(lenient.code, null);
    assert.equal(lenient.out!.contentType, 'image/png');
    const checks = findingsOf(lenient.out);
    assert.equal(checks?.mode, 'lenient');
    assert.deepEqual(
      checks?.findings.map((f) => [f.code, f.severity]),
      [['UNSUPPORTED_OUTFIT', 'refuse']],
    );
    // The unmodified photo: drawn in strict mode, nothing found.
    const plain = await outcome(engine.tryOn(input(readPerson('woman-2.png'))));
    assert.equal(plain.code, null);
    assert.deepEqual(findingsOf(plain.out), { mode: 'strict', findings: [] });
  });

  it('seated (knees lifted to the hips): strict refuses with UNSUPPORTED_POSE, lenient draws it', async () => {
    const seated = new CompositeEngine({
      detect: async (img) => {
        const det = await detectPerson(img);
        const hipY = det.keypoints.find((k) => k.part === 'leftHip')?.y;
        if (hipY === undefined) return det; // the garment photo (the engine asks whether a model wears it)
        const keypoints = det.keypoints.map((k) =>
          k.part === 'leftKnee' || k.part === 'rightKnee' ? { ...k, y: hipY + 10 } : k,
        );
        return { ...det, keypoints };
      },
    });
    const person = readPerson('woman-2.png');
    const strict = await outcome(seated.tryOn(input(person, 'strict')));
    assert.equal(strict.code, 'UNSUPPORTED_POSE');
    const lenient = await outcome(seated.tryOn(input(person, 'lenient')));
    assert.equal(lenient.code, null);
    assert.match(findingsOf(lenient.out)!.findings[0]!.message, /seated/);
    await seated.close();
  });

  it('upside down (the old "must be upright" check) is UNSUPPORTED_POSE in both modes', async () => {
    const flipped = new CompositeEngine({
      detect: async (img) => {
        const det = await detectPerson(img);
        const keypoints = det.keypoints.map((k) => (k.part.endsWith('Hip') ? { ...k, y: 5 } : k));
        return { ...det, keypoints };
      },
    });
    for (const mode of ['strict', 'lenient'] as const) {
      assert.equal((await outcome(flipped.tryOn(input(readPerson('woman-2.png'), mode)))).code, 'UNSUPPORTED_POSE');
    }
    await flipped.close();
  });

  it('hard failures fail in lenient mode too', async () => {
    const blank = await sharp({ create: { width: 384, height: 512, channels: 3, background: '#8a8a8a' } })
      .png()
      .toBuffer();
    assert.equal((await outcome(engine.tryOn(input(blank, 'lenient')))).code, 'NO_PERSON_DETECTED');
    assert.equal((await outcome(engine.tryOn(input(new Uint8Array([1, 2, 3]), 'lenient')))).code, 'INVALID_IMAGE');
  });

  it('the result criteria: a refuse finding is QUALITY_CHECK_FAILED in strict mode, reported in lenient mode', async () => {
    const { img, det } = await photo('woman-2.png');
    const g = await analyzeGarment(tee(), TEE_WORDS);
    const poor: CheckFinding = { code: 'QUALITY_CHECK_FAILED', severity: 'refuse', message: 'Too much was invented.' };
    const note: CheckFinding = { code: 'QUALITY_CHECK_FAILED', severity: 'warn', message: 'A little was invented.' };
    let seen = 0;
    const criteria = [
      () => [poor],
      (r: { garmentAlpha: Float32Array }) => {
        seen = r.garmentAlpha.length;
        return [note];
      },
    ];
    assert.throws(
      () => composeTryOn(img, det, g, { resultCriteria: criteria }),
      (err: unknown) =>
        err instanceof EngineError && err.code === 'QUALITY_CHECK_FAILED' && err.message === poor.message,
    );
    const lenient = composeTryOn(img, det, g, { checks: 'lenient', resultCriteria: criteria });
    assert.deepEqual(lenient.findings, [poor, note]);
    assert.equal(seen, img.width * img.height, 'a criterion receives the composite');
    // A warning alone never refuses.
    assert.deepEqual(composeTryOn(img, det, g, { resultCriteria: [() => [note]] }).findings, [note]);
  });
  it('the criteria in force refuse a garment over the arms (QUALITY_CHECK_FAILED), lenient draws it', async () => {
    // A result of the development set past the threshold (the quality run, docs/quality.md): woman-1 in the draped
    // one-shoulder dress (its panel over the forearm hanging against her hip). Should the engine learn to draw it well,
    // pick another pair the criterion refuses (woman-1 in the flower dress was one until its armholes were read at
    // the bodice, garment/armpits.ts). The blocky criterion has no such pair among the
    // repository's photos any more (the astronaut in the one-shoulder dress was one until large openings kept the old
    // garment, old-region.ts); it is tested on drawn results in result-measures.test.ts.
    for (const [personName, garmentName, measure, threshold, message] of [
      ['woman-1.jpg', 'dress-2.jpg', 'armsCoveredShare', REFUSE_ARM_SHARE, /arms or hands/],
    ] as const) {
      const { img, det } = await photo(personName);
      const g = await analyzeGarment(
        { data: readGarment(garmentName), contentHash: garmentName, role: null },
        GARMENT_TITLES[garmentName]!,
      );
      assert.throws(
        () => composeTryOn(img, det, g),
        (err: unknown) =>
          err instanceof EngineError && err.code === 'QUALITY_CHECK_FAILED' && message.test(err.message),
        `${personName} in ${garmentName}, strict`,
      );
      const lenient = composeTryOn(img, det, g, { checks: 'lenient' });
      assert.equal(lenient.findings.length, 1, JSON.stringify(lenient.findings));
      const f = lenient.findings[0]!;
      assert.equal(f.code, 'QUALITY_CHECK_FAILED');
      assert.equal(f.severity, 'refuse');
      assert.match(f.message, message);
      assert.ok(f.measured![measure]! >= threshold, `${personName} in ${garmentName}: ${JSON.stringify(f.measured)}`);
    }
  });
});

describe('strict or lenient, on a worker thread', () => {
  const pool = createEnginePool({ threads: 1 });
  after(() => pool.close());

  it('the mode crosses the thread boundary with the input', async () => {
    const person = await openJacketPhoto();
    assert.equal((await outcome(pool.tryOn(input(person, 'strict')))).code, 'UNSUPPORTED_OUTFIT');
    const lenient = await outcome(pool.tryOn(input(person, 'lenient')));
    assert.equal(lenient.code, null);
    assert.equal(findingsOf(lenient.out)?.findings[0]?.code, 'UNSUPPORTED_OUTFIT');
  });
});
