import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { bodyFrame } from '../body/frame.js';
import { EngineError } from '../engine.js';
import { analyzeGarment } from '../garment/analyze.js';
import { type SyntheticBottom, syntheticBottom } from '../quality/synthetic-bottoms.js';
import { dilate } from '../raster/morphology.js';
import { decodeImage, detectPerson } from '../vision/person-detector.js';
import { readPerson } from '../vision/test-fixtures.js';
import { composeTryOn } from './compose.js';

const DEBUG = process.env.BOTTOMS_DEBUG_DIR;

async function bottom(kind: SyntheticBottom, title: string | null) {
  return analyzeGarment(
    { data: await syntheticBottom(kind), contentHash: `synthetic-${kind}`, role: null },
    {
      title,
      description: null,
    },
  );
}

async function run(personName: string, kind: SyntheticBottom, title: string) {
  const person = await decodeImage(readPerson(personName));
  const det = await detectPerson(person);
  const g = await bottom(kind, title);
  return { person, det, g, frame: bodyFrame(det)! };
}

describe('bottoms: synthetic skirt and trousers', () => {
  it('classifies and finds the landmarks of the synthetic bottoms, with and without words', async () => {
    const s = await bottom('skirt', 'Striped A-line skirt');
    assert.equal(s.cls.category, 'lower');
    assert.equal(s.cls.lowerKind, 'skirt');
    assert.equal(s.bottom!.crotch, null);
    const sShape = await bottom('skirt', null);
    assert.equal(sShape.cls.category, 'lower');
    assert.equal(sShape.cls.lowerKind, 'skirt');
    const t = await bottom('trousers', 'Wide-leg trousers');
    assert.equal(t.cls.category, 'lower');
    assert.equal(t.cls.lowerKind, 'trousers');
    const b = t.bottom!;
    // Drawn: waist at 100, crotch at 390, hem at 900 (of 1000 px; the analysis scales the photo down).
    const rel = (b.crotch!.y - b.bbox[1]) / (b.bbox[3] - b.bbox[1]);
    assert.ok(Math.abs(rel - 0.3625) < 0.08, `crotch at ${rel.toFixed(3)} of the height`);
    assert.ok(b.waistRight.x - b.waistLeft.x > (b.bbox[2] - b.bbox[0]) * 0.75, 'waistband spans the top');
    assert.ok(b.legLeft!.hem.x < b.crotch!.x && b.legRight!.hem.x > b.crotch!.x);
    const tShape = await bottom('trousers', null);
    assert.equal(tShape.cls.category, 'lower');
    assert.equal(tShape.cls.lowerKind, 'trousers');
    for (const title of ['Denim jeans', 'Jogger pants', 'Black leggings', 'Linen shorts', 'Pleated midi skirt']) {
      assert.equal((await bottom('trousers', title)).cls.category, 'lower', title);
    }
  });

  it('a skirt on woman-2 covers hips to knees, leaves the rest byte-identical and the torso untouched', async () => {
    const { person, det, g, frame } = await run('woman-2.png', 'skirt', 'Striped A-line skirt');
    const r = composeTryOn(person, det, g);
    const { width: w, height: h } = person;
    const n = w * h;
    if (DEBUG)
      await sharp(Buffer.from(r.image.data), { raw: { width: w, height: h, channels: 3 } })
        .png()
        .toFile(join(DEBUG, 'skirt-woman-2.png'));
    const hipY = (frame.lHip.y + frame.rHip.y) / 2;
    const kneeY = (frame.lKnee!.y + frame.rKnee!.y) / 2;
    // Coverage of the body between the hips and a little above the knees (the hem of a knee-length skirt).
    let band = 0;
    let covered = 0;
    const xa = Math.min(frame.lHip.x, frame.lKnee!.x);
    const xb = Math.max(frame.rHip.x, frame.rKnee!.x);
    for (let y = Math.round(hipY); y < Math.round(kneeY - (kneeY - hipY) * 0.1); y++)
      for (let x = Math.round(xa); x <= Math.round(xb); x++) {
        const p = y * w + x;
        if (!r.parsing.person.data[p]) continue;
        band++;
        if (r.garmentAlpha[p]! > 0.5) covered++;
      }
    assert.ok(band > 0 && covered / band >= 0.8, `band coverage ${(covered / band).toFixed(3)}`);
    const touched = new Uint8Array(n);
    for (let p = 0; p < n; p++) touched[p] = r.garmentAlpha[p]! > 0 || r.filled.data[p] || r.oldRegion.data[p] ? 1 : 0;
    const region = dilate({ data: touched, width: w, height: h }, 1);
    let outside = 0;
    let aboveWaist = 0;
    const waistY = Math.min(r.targets.shoulderLeft.y, r.targets.shoulderRight.y);
    for (let p = 0; p < n; p++) {
      const same =
        r.image.data[p * 3] === person.data[p * 3] &&
        r.image.data[p * 3 + 1] === person.data[p * 3 + 1] &&
        r.image.data[p * 3 + 2] === person.data[p * 3 + 2];
      if (!same && !region.data[p]) outside++;
      // Above the waistband (less the feathering): the torso and the top stay as they were.
      if (!same && p / w < waistY - 3) aboveWaist++;
    }
    assert.equal(outside, 0, 'no pixel outside the garment region changed');
    assert.equal(aboveWaist, 0, 'nothing above the waist changed');
    assert.ok(waistY < hipY && waistY > hipY - frame.shoulderWidth * 0.5, 'waistband a little above the hips');
    // An A-line skirt keeps its flare (hem 1.47 × the waist in the product photo): wider near the hem than at the
    // hips, standing out past the legs' silhouette there, but by no more than the 0.4 sw allowed each side.
    const span = (y: number) => {
      let a = -1;
      let b = -1;
      let bodyA = -1;
      let bodyB = -1;
      for (let x = 0; x < w; x++) {
        const p = Math.round(y) * w + x;
        if (r.garmentAlpha[p]! > 0.5) {
          if (a < 0) a = x;
          b = x;
        }
        if (r.parsing.person.data[p]) {
          if (bodyA < 0) bodyA = x;
          bodyB = x;
        }
      }
      return { width: b - a, outsideLeft: bodyA - a, outsideRight: b - bodyB };
    };
    const hemY = r.targets.hemCenter.y;
    const atHips = span(hipY);
    const nearHem = span(hemY - (hemY - hipY) * 0.1);
    assert.ok(nearHem.width > atHips.width * 1.15, `hem ${nearHem.width}px vs hips ${atHips.width}px`);
    assert.ok(nearHem.outsideLeft > 0 && nearHem.outsideRight > 0, 'the flare stands out past the legs');
    const cap = frame.shoulderWidth * 0.4 + 2;
    assert.ok(nearHem.outsideLeft <= cap && nearHem.outsideRight <= cap, 'flare within 0.4 sw of the legs');
  });

  it('trousers on woman-2 follow both legs down towards the ankles', async () => {
    const { person, det, g, frame } = await run('woman-2.png', 'trousers', 'Striped trousers');
    const r = composeTryOn(person, det, g);
    const { width: w, height: h } = person;
    if (DEBUG)
      await sharp(Buffer.from(r.image.data), { raw: { width: w, height: h, channels: 3 } })
        .png()
        .toFile(join(DEBUG, 'trousers-woman-2.png'));
    const sw = frame.shoulderWidth;
    // Each leg is covered at mid-thigh, at the knee and at mid-shin, along its own joints.
    for (const [hip, knee, ankle] of [
      [frame.lHip, frame.lKnee!, frame.lAnkle!],
      [frame.rHip, frame.rKnee!, frame.rAnkle!],
    ] as const) {
      for (const [a, b, t] of [
        [hip, knee, 0.5],
        [hip, knee, 0.95],
        [knee, ankle, 0.5],
      ] as const) {
        const x = Math.round(a.x + (b.x - a.x) * t);
        const y = Math.round(a.y + (b.y - a.y) * t);
        let cov = 0;
        let cnt = 0;
        for (let dy = -2; dy <= 2; dy++)
          for (let dx = -2; dx <= 2; dx++) {
            cnt++;
            if (r.garmentAlpha[(y + dy) * w + x + dx]! > 0.5) cov++;
          }
        assert.ok(cov / cnt > 0.8, `leg covered at (${x},${y})`);
      }
    }
    // Between the legs below the crotch (the background gap at mid-shin) stays uncovered.
    const y = Math.round((frame.lKnee!.y + frame.lAnkle!.y) / 2);
    const xm = Math.round((frame.lKnee!.x + frame.rKnee!.x + frame.lAnkle!.x + frame.rAnkle!.x) / 4);
    if (!r.parsing.person.data[y * w + xm])
      assert.ok(r.garmentAlpha[y * w + xm]! < 0.5, 'the gap between the legs is open');
    assert.ok(sw > 0 && h > 0);
  });

  it('trousers on a photo cut at the knees fail with UNSUPPORTED_GARMENT', async () => {
    const { person, det, g } = await run('man-1.png', 'trousers', 'Striped trousers');
    assert.throws(
      () => composeTryOn(person, det, g),
      (err: unknown) => err instanceof EngineError && err.code === 'UNSUPPORTED_GARMENT' && /ankle/.test(err.message),
    );
  });
});
