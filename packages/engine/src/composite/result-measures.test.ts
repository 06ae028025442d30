import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BodyFrame } from '../body/frame.js';
import type { GarmentClass } from '../garment/classify.js';
import { drawCapsule, drawPolygon, type P } from '../raster/draw.js';
import { type BinaryMask, emptyMask } from '../raster/mask.js';
import type { RawImage } from '../vision/types.js';
import {
  armsDrawnOver,
  blockyFills,
  type CompositeForChecks,
  REFUSE_ARM_MIN,
  REFUSE_BLOCKY_SHARE,
  RESULT_CRITERIA,
  resultFindings,
} from './result-checks.js';
import { armsCovered, BLOCKY_SHARE, blockiness, sleeveCovers } from './result-measures.js';

/** A deterministic pseudo-random sequence in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const W = 384;
const H = 512;
/** The person: a silhouette rectangle; the old garment (x 120–264, y 200–420) is denim-like. */
const SIL = { x0: 100, y0: 60, x1: 284, y1: 500 };
const OLD = { x0: 120, y0: 200, x1: 264, y1: 420 };
const SKIN: [number, number, number] = [205, 160, 135];

function image(fill: (x: number, y: number) => [number, number, number]): RawImage {
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const [r, g, b] = fill(x, y);
      const p = (y * W + x) * 3;
      data[p] = Math.max(0, Math.min(255, Math.round(r)));
      data[p + 1] = Math.max(0, Math.min(255, Math.round(g)));
      data[p + 2] = Math.max(0, Math.min(255, Math.round(b)));
    }
  }
  return { data, width: W, height: H, channels: 3 };
}

const inside = (x: number, y: number, r: { x0: number; y0: number; x1: number; y1: number }) =>
  x >= r.x0 && x <= r.x1 && y >= r.y0 && y <= r.y1;

function mask(pick: (x: number, y: number) => boolean): BinaryMask {
  const m = emptyMask(W, H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) m.data[y * W + x] = pick(x, y) ? 1 : 0;
  return m;
}

/**
 * The person photo: a grey wall, skin inside the silhouette, and the old garment: denim, its texture at thumbnail
 * scale (folds every ~14 px, a coarse weave of 6-px blocks).
 */
function personPhoto(): RawImage {
  const noise = rng(7);
  const weave = new Float32Array(Math.ceil(W / 6) * Math.ceil(H / 6)).map(() => noise() * 40 - 20);
  return image((x, y) => {
    if (!inside(x, y, SIL)) return [200, 200, 198];
    if (!inside(x, y, OLD)) return [SKIN[0] + (x - 192) * 0.1, SKIN[1], SKIN[2]];
    const fold = 18 * Math.sin(y / 7 + x / 30);
    const v = fold + weave[((y / 6) | 0) * Math.ceil(W / 6) + ((x / 6) | 0)]!;
    return [60 + v, 90 + v, 150 + v];
  });
}

/** The old garment's lower part, repainted (the rectangle a fill would cover). */
const FILL = { x0: 120, y0: 300, x1: 264, y1: 420 };

describe('blockiness', () => {
  const person = personPhoto();
  const silhouette = mask((x, y) => inside(x, y, SIL));
  const filled = mask((x, y) => inside(x, y, FILL));
  const noGarment = new Float32Array(W * H);

  it('flags a flat, hard-edged rectangle painted over a textured area', () => {
    const result = image((x, y) => {
      if (inside(x, y, FILL)) return SKIN;
      const p = (y * W + x) * 3;
      return [person.data[p]!, person.data[p + 1]!, person.data[p + 2]!];
    });
    const b = blockiness(person, result, filled, noGarment, silhouette);
    assert.equal(b.count, 1, JSON.stringify(b.patches));
    assert.ok(b.blocky, `share ${b.share}`);
    const patch = b.patches[0]!;
    // Flat against the denim, and boxed by the straight edge where the denim above it meets it.
    assert.ok(patch.flat && patch.boxed, JSON.stringify(patch));
    // The patch is the fill: about (145 × 121 px) / 4 cells, over a silhouette of (185 × 441 px) / 4 cells.
    assert.ok(b.share > 0.15 && b.share < 0.25, `share ${b.share}`);
  });

  it('does not flag a soft, textured fill of the same area', () => {
    // The fill keeps the photo's folds and weave (recoloured towards skin) and fades into the photo over 16 px.
    const result = image((x, y) => {
      const p = (y * W + x) * 3;
      const src = [person.data[p]!, person.data[p + 1]!, person.data[p + 2]!];
      if (!inside(x, y, FILL)) return src as [number, number, number];
      const edge = Math.min(x - FILL.x0, FILL.x1 - x, y - FILL.y0, FILL.y1 - y);
      const t = Math.min(1, (edge + 1) / 16);
      const shifted = src.map((v, j) => v + (SKIN[j]! - [60, 90, 150][j]!));
      return src.map((v, j) => v * (1 - t) + shifted[j]! * t) as [number, number, number];
    });
    const b = blockiness(person, result, filled, noGarment, silhouette);
    assert.equal(b.count, 0, JSON.stringify(b.patches));
    assert.ok(!b.blocky && b.share === 0, `share ${b.share}`);
  });

  it('flags a small flat patch by its flatness alone (no hard edge, no slab)', () => {
    // A 44×44 px patch of the denim's mean colour: no step to the denim round it stands out, but the weave is gone.
    const small = { x0: 170, y0: 330, x1: 213, y1: 373 };
    const result = image((x, y) => {
      if (inside(x, y, small)) return [60, 90, 150];
      const p = (y * W + x) * 3;
      return [person.data[p]!, person.data[p + 1]!, person.data[p + 2]!];
    });
    const b = blockiness(
      person,
      result,
      mask((x, y) => inside(x, y, small)),
      noGarment,
      silhouette,
    );
    assert.equal(b.count, 1, JSON.stringify(b.patches));
    const patch = b.patches[0]!;
    assert.ok(patch.flat && !patch.slab && !patch.boxed, JSON.stringify(patch));
    // About 2.4 % of the silhouette: a blocky patch, under the pair's threshold.
    assert.ok(!b.blocky && b.share > 0.02 && b.share < BLOCKY_SHARE, `share ${b.share}`);
  });

  it('judges the pixels, not the mask: a repainted area left as the photo is no patch', () => {
    const b = blockiness(person, person, filled, noGarment, silhouette);
    assert.equal(b.patches.length, 0);
    assert.equal(b.share, 0);
  });

  it('does not count the new garment: a flat garment over the area is not a fill', () => {
    const result = image((x, y) => {
      if (inside(x, y, FILL)) return [30, 30, 30];
      const p = (y * W + x) * 3;
      return [person.data[p]!, person.data[p + 1]!, person.data[p + 2]!];
    });
    const garment = new Float32Array(W * H);
    for (let y = FILL.y0; y <= FILL.y1; y++) for (let x = FILL.x0; x <= FILL.x1; x++) garment[y * W + x] = 1;
    const b = blockiness(person, result, filled, garment, silhouette);
    assert.equal(b.share, 0);
    assert.ok(BLOCKY_SHARE > 0);
  });
});

// The arms: a body frame by image side, shoulder width 100 px, on a 400×500 photo. The torso (shoulders → hips) is
// an old grey top; the new garment is blue.
const AW = 400;
const AH = 500;
const L_SHOULDER = { x: 150, y: 150 };
const R_SHOULDER = { x: 250, y: 150 };
const L_HIP = { x: 160, y: 350 };
const R_HIP = { x: 240, y: 350 };
const SKIN_RGB: [number, number, number] = [200, 150, 120];
const GREY: [number, number, number] = [120, 120, 120];
const BLUE: [number, number, number] = [30, 60, 200];

function frameWith(lElbow: P, lWrist: P): BodyFrame {
  return {
    lShoulder: L_SHOULDER,
    rShoulder: R_SHOULDER,
    lHip: L_HIP,
    rHip: R_HIP,
    lElbow,
    rElbow: null,
    lWrist,
    rWrist: null,
    lKnee: null,
    rKnee: null,
    lAnkle: null,
    rAnkle: null,
    nose: null,
    shoulderWidth: 100,
    hipsSeen: true,
  };
}

/** The arm's pixels: capsules shoulder → elbow → wrist, and the hand (0.35 of the forearm past the wrist). */
function armMask(e: P, w: P): BinaryMask {
  const m = emptyMask(AW, AH);
  drawCapsule(m, L_SHOULDER, e, 13);
  const hand = { x: w.x + (w.x - e.x) * 0.35, y: w.y + (w.y - e.y) * 0.35 };
  drawCapsule(m, e, hand, 11);
  return m;
}

function paint(pick: (p: number) => [number, number, number]): RawImage {
  const data = new Uint8Array(AW * AH * 3);
  for (let p = 0; p < AW * AH; p++) data.set(pick(p), p * 3);
  return { data, width: AW, height: AH, channels: 3 };
}

/**
 * The photo (torso in the old grey top, the arm in front of it) and a result: the blue garment over the torso, the
 * arm drawn over wherever `covered` says.
 */
function scene(e: P, w: P, covered: (p: number) => boolean) {
  const torso = emptyMask(AW, AH);
  drawPolygon(torso, [L_SHOULDER, R_SHOULDER, R_HIP, L_HIP]);
  const arm = armMask(e, w);
  const person = paint((p) => (arm.data[p] ? SKIN_RGB : torso.data[p] ? GREY : [220, 220, 220]));
  const alpha = new Float32Array(AW * AH);
  for (let p = 0; p < AW * AH; p++) {
    if (arm.data[p] ? covered(p) : torso.data[p]) alpha[p] = 1;
  }
  const result = paint((p) =>
    alpha[p] ? BLUE : [person.data[p * 3]!, person.data[p * 3 + 1]!, person.data[p * 3 + 2]!],
  );
  return { person, result, alpha, arm };
}

describe('armsCovered', () => {
  // A forearm lying across the torso: the elbow out at the side, the wrist and hand on the belly.
  const crossE = { x: 130, y: 290 };
  const crossW = { x: 215, y: 270 };

  it('flags a garment drawn over a forearm lying across the torso (short sleeves)', () => {
    const { person, result, alpha } = scene(crossE, crossW, () => true);
    const a = armsCovered(person, result, alpha, frameWith(crossE, crossW), { category: 'upper', sleeve: 'short' });
    assert.ok(a.counted >= 6, `counted ${a.counted}`);
    assert.ok(a.armCovered, `${a.covered}/${a.counted}`);
    assert.ok(a.share > 0.8, `share ${a.share}`);
    // Hands count whatever the sleeves: the same result for a long-sleeved top is still flagged.
    const long = armsCovered(person, result, alpha, frameWith(crossE, crossW), { category: 'upper', sleeve: 'long' });
    assert.ok(long.armCovered && long.samples.every((s) => s.part === 'hand'), JSON.stringify(long.samples));
  });

  it('does not flag the arm kept in front of the garment', () => {
    const { person, result, alpha } = scene(crossE, crossW, () => false);
    const a = armsCovered(person, result, alpha, frameWith(crossE, crossW), { category: 'upper', sleeve: 'short' });
    assert.ok(a.counted >= 6, `counted ${a.counted}`);
    assert.equal(a.covered, 0);
    assert.ok(!a.armCovered);
  });

  // An arm hanging against the body's side: elbow and wrist just inside the torso's outline.
  const hangE = { x: 150, y: 255 };
  const hangW = { x: 146, y: 335 };

  it('does not flag a long sleeve over a hanging arm (the hand kept)', () => {
    // The sleeve covers the arm down to the wrist; the hand shows.
    const { person, result, alpha } = scene(hangE, hangW, (p) => (((p / AW) | 0) as number) <= hangW.y);
    const frame = frameWith(hangE, hangW);
    const a = armsCovered(person, result, alpha, frame, { category: 'upper', sleeve: 'long' });
    assert.ok(!a.armCovered, `${a.covered}/${a.counted}`);
    assert.equal(a.covered, 0);
    // The same pixels from a sleeveless garment: its body panel was drawn over the arm, which is flagged.
    const none = armsCovered(person, result, alpha, frame, { category: 'upper', sleeve: 'none' });
    assert.ok(none.armCovered, `${none.covered}/${none.counted}`);
  });

  it('counts only what the new garment covers: an arm repainted by a fill is not "covered"', () => {
    const { person, result, arm } = scene(crossE, crossW, () => false);
    // The arm painted over in the torso's grey, with no garment there (a residue fill's doing, not the garment's).
    for (let p = 0; p < AW * AH; p++) if (arm.data[p]) result.data.set(GREY, p * 3);
    const alpha = new Float32Array(AW * AH);
    const a = armsCovered(person, result, alpha, frameWith(crossE, crossW), { category: 'upper', sleeve: 'none' });
    assert.ok(a.counted >= 6 && a.covered === 0, `${a.covered}/${a.counted}`);
  });

  it('does not count an arm held away from the body', () => {
    // Elbow and wrist out to the side, level with the chest: the garment drawn over all of it is not held against it.
    const outE = { x: 80, y: 200 };
    const outW = { x: 20, y: 240 };
    const { person, result, alpha } = scene(outE, outW, () => true);
    const a = armsCovered(person, result, alpha, frameWith(outE, outW), { category: 'upper', sleeve: 'none' });
    assert.equal(a.counted, 0, JSON.stringify(a.samples));
  });

  it("a tee's short sleeve may cover the upper arm, not the forearm", () => {
    assert.ok(sleeveCovers('short', 'upper') && !sleeveCovers('short', 'fore') && !sleeveCovers('short', 'hand'));
    assert.ok(sleeveCovers('long', 'upper') && sleeveCovers('long', 'fore') && !sleeveCovers('long', 'hand'));
    assert.ok(!sleeveCovers('none', 'upper') && !sleeveCovers('none', 'fore'));
    // Only the upper arm drawn over (a short sleeve on the arm): not flagged for a tee, flagged for a sleeveless top.
    const elbowY = hangE.y;
    const { person, result, alpha } = scene(hangE, hangW, (p) => ((p / AW) | 0) < elbowY);
    const frame = frameWith(hangE, hangW);
    assert.ok(!armsCovered(person, result, alpha, frame, { category: 'upper', sleeve: 'short' }).armCovered);
    assert.ok(armsCovered(person, result, alpha, frame, { category: 'upper', sleeve: 'none' }).armCovered);
  });
});

/**
 * A composite as the result criteria see it, from the drawn scenes above: only what the criteria read is real (the
 * photo, the result, the fill's mask, the garment's alpha, the silhouette, the body frame, the garment's class).
 */
function composite(
  person: RawImage,
  image: RawImage,
  o: { filled?: BinaryMask; alpha?: Float32Array; silhouette?: BinaryMask; frame?: BodyFrame; cls?: GarmentClass },
): CompositeForChecks {
  const { width: w, height: h } = person;
  const filled = o.filled ?? emptyMask(w, h);
  const parsing = {
    person: o.silhouette ?? emptyMask(w, h),
    // No elbows seen (the blocky scenes): no arm to sample.
    frame: o.frame ?? { ...frameWith(L_SHOULDER, L_SHOULDER), lElbow: null, lWrist: null },
  };
  return {
    person,
    image,
    filled,
    oldRegion: filled,
    garmentAlpha: o.alpha ?? new Float32Array(w * h),
    parsing,
    garment: { cls: o.cls ?? { category: 'upper', sleeve: 'short' } },
  } as unknown as CompositeForChecks;
}

describe('the result criteria (result-checks.ts)', () => {
  it('are blocky fills and arms drawn over, in that order', () => {
    assert.deepEqual(RESULT_CRITERIA, [blockyFills, armsDrawnOver]);
  });

  const person = personPhoto();
  const silhouette = mask((x, y) => inside(x, y, SIL));
  const filled = mask((x, y) => inside(x, y, FILL));
  const copy = (x: number, y: number): [number, number, number] => {
    const p = (y * W + x) * 3;
    return [person.data[p]!, person.data[p + 1]!, person.data[p + 2]!];
  };

  it('refuse a result with a flat, hard-edged block painted over the old garment', () => {
    const result = image((x, y) => (inside(x, y, FILL) ? SKIN : copy(x, y)));
    const found = resultFindings(composite(person, result, { filled, silhouette }));
    assert.equal(found.length, 1, JSON.stringify(found));
    const f = found[0]!;
    assert.equal(f.code, 'QUALITY_CHECK_FAILED');
    assert.equal(f.severity, 'refuse');
    assert.match(f.message, /large areas the engine had to invent/);
    assert.ok(f.measured!.blockyShare! >= REFUSE_BLOCKY_SHARE && f.measured!.blockyPatches === 1, JSON.stringify(f));
  });

  it('do not refuse a soft, textured fill, or a blocky patch under the threshold', () => {
    const soft = image((x, y) => {
      const src = copy(x, y);
      if (!inside(x, y, FILL)) return src;
      const edge = Math.min(x - FILL.x0, FILL.x1 - x, y - FILL.y0, FILL.y1 - y);
      const t = Math.min(1, (edge + 1) / 16);
      return src.map((v, j) => v * (1 - t) + (v + SKIN[j]! - [60, 90, 150][j]!) * t) as [number, number, number];
    });
    assert.deepEqual(resultFindings(composite(person, soft, { filled, silhouette })), []);
    // The 44×44 px flat patch of the test above: blocky, about 2.4 % of the silhouette.
    const small = { x0: 170, y0: 330, x1: 213, y1: 373 };
    const dab = image((x, y) => (inside(x, y, small) ? [60, 90, 150] : copy(x, y)));
    const smallFill = mask((x, y) => inside(x, y, small));
    assert.deepEqual(resultFindings(composite(person, dab, { filled: smallFill, silhouette })), []);
    // The photo itself, every pixel of it marked as filled: nothing was invented.
    assert.deepEqual(resultFindings(composite(person, person, { filled, silhouette })), []);
  });

  const crossE = { x: 130, y: 290 };
  const crossW = { x: 215, y: 270 };
  const cls = (sleeve: GarmentClass['sleeve']) => ({ category: 'upper', sleeve }) as GarmentClass;

  it('refuse a result with the garment drawn over a forearm lying across the body', () => {
    const { person: photo, result, alpha } = scene(crossE, crossW, () => true);
    const found = resultFindings(
      composite(photo, result, { alpha, frame: frameWith(crossE, crossW), cls: cls('short') }),
    );
    assert.equal(found.length, 1, JSON.stringify(found));
    const f = found[0]!;
    assert.equal(f.code, 'QUALITY_CHECK_FAILED');
    assert.equal(f.severity, 'refuse');
    assert.match(f.message, /drawn over the person's arms or hands/);
    const m = f.measured!;
    assert.ok(m.armSamplesCovered! >= REFUSE_ARM_MIN && m.armsCoveredShare! > 0.8, JSON.stringify(m));
  });

  it('do not refuse the arm kept in front, nor a long sleeve drawn along a hanging arm', () => {
    const kept = scene(crossE, crossW, () => false);
    const frame = frameWith(crossE, crossW);
    assert.deepEqual(
      resultFindings(composite(kept.person, kept.result, { alpha: kept.alpha, frame, cls: cls('short') })),
      [],
    );
    const hangE = { x: 150, y: 255 };
    const hangW = { x: 146, y: 335 };
    const sleeve = scene(hangE, hangW, (p) => ((p / AW) | 0) <= hangW.y);
    const hanging = composite(sleeve.person, sleeve.result, {
      alpha: sleeve.alpha,
      frame: frameWith(hangE, hangW),
      cls: cls('long'),
    });
    assert.deepEqual(resultFindings(hanging), []);
    // The same pixels from a sleeveless garment: its body panel was drawn over the arm.
    assert.equal(resultFindings({ ...hanging, garment: { ...hanging.garment, cls: cls('none') } }).length, 1);
  });
});
