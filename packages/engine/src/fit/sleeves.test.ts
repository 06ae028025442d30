import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BodyFrame } from '../body/frame.js';
import type { PersonParsing } from '../body/parsing.js';
import type { SleeveInfo } from '../garment/landmarks.js';
import { emptyMask } from '../raster/mask.js';
import { armJoints, garmentSleeveQuad, inverseBilinear, type SleeveQuad, sleeveMap } from './sleeves.js';

// The left sleeve of a tee photographed hanging steeply: its armhole a vertical line (shoulder corner (148, 133) →
// armpit (148, 305)), its cuff far below and out, as the two-tone Vans tee of `ootd/` lies.
const quad: SleeveQuad = {
  top: { x: 148, y: 133 },
  under: { x: 148, y: 305 },
  cuffTop: { x: 48, y: 302 },
  cuffUnder: { x: 131, y: 344 },
};

const bilinear = (q: SleeveQuad, u: number, v: number) => {
  const a = { x: q.top.x + (q.cuffTop.x - q.top.x) * u, y: q.top.y + (q.cuffTop.y - q.top.y) * u };
  const b = { x: q.under.x + (q.cuffUnder.x - q.under.x) * u, y: q.under.y + (q.cuffUnder.y - q.under.y) * u };
  return { x: a.x + (b.x - a.x) * v, y: a.y + (b.y - a.y) * v };
};

/** The part map of `quad` filled (part 2), on a 300 × 400 garment photo. */
function sleevePixels() {
  const width = 300;
  const parts = new Uint8Array(width * 400);
  for (let u = 0; u <= 1; u += 0.002) {
    for (let v = 0; v <= 1; v += 0.002) {
      const p = bilinear(quad, u, v);
      parts[Math.round(p.y) * width + Math.round(p.x)] = 2;
    }
  }
  return { parts, width, part: 2 };
}

describe('inverseBilinear', () => {
  it('gives back (u, v) inside the sleeve and beside it, also just past its top edge', () => {
    // Points a little past the top edge (v < 0) were given the quadratic's other root (u ≈ −20, v ≈ 1.25): the
    // mesh vertices there landed far away and drew thin streaks across the chest.
    // Past the underarm corner (u < 0, v > 1: the torso's side) the extrapolated map folds onto itself, and either
    // answer is a preimage; the sleeve's own pixels lie within this margin of its quadrilateral.
    for (let u = -0.1; u <= 1.3; u += 0.05) {
      for (let v = -0.3; v <= 1.1; v += 0.05) {
        const back = inverseBilinear(quad, bilinear(quad, u, v));
        assert.ok(back);
        assert.ok(Math.abs(back.u - u) < 1e-6 && Math.abs(back.v - v) < 1e-6, `(${u}, ${v}) → (${back.u}, ${back.v})`);
      }
    }
  });
});

describe('garmentSleeveQuad', () => {
  it('finds the cuff ends, the shoulder-side one continuing the top edge', () => {
    const s: SleeveInfo = { root: quad.top, end: { x: 89.5, y: 323 }, length: 220, width: 70, area: 14_000 };
    const q = garmentSleeveQuad(s, quad.under, sleevePixels());
    assert.ok(q);
    assert.deepEqual(q.top, quad.top);
    assert.deepEqual(q.under, quad.under);
    // The cuff ends lie where the drawn ones do, within the band the cuff is read from.
    assert.ok(Math.hypot(q.cuffTop.x - quad.cuffTop.x, q.cuffTop.y - quad.cuffTop.y) < 25, JSON.stringify(q));
    assert.ok(Math.hypot(q.cuffUnder.x - quad.cuffUnder.x, q.cuffUnder.y - quad.cuffUnder.y) < 25, JSON.stringify(q));
  });

  it("reads a dropped shoulder's sleeve, whose cuff runs up from the armpit, as a triangle", () => {
    // The boxy RHUDE tee of `tryon/`: armhole (110, 99) → (110, 396), cuff from (4, 351) back to the armpit.
    const width = 300;
    const parts = new Uint8Array(width * 450);
    const [a, b, c] = [
      { x: 110, y: 99 },
      { x: 4, y: 351 },
      { x: 110, y: 396 },
    ];
    for (let i = 0; i <= 1; i += 0.002) {
      for (let j = 0; j <= 1 - i; j += 0.002) {
        const x = a.x + (b.x - a.x) * i + (c.x - a.x) * j;
        const y = a.y + (b.y - a.y) * i + (c.y - a.y) * j;
        parts[Math.round(y) * width + Math.round(x)] = 2;
      }
    }
    const s: SleeveInfo = { root: a, end: { x: 57, y: 371 }, length: 280, width: 90, area: 13_000 };
    const q = garmentSleeveQuad(s, c, { parts, width, part: 2 });
    assert.ok(q, 'read');
    assert.ok(Math.hypot(q.cuffTop.x - b.x, q.cuffTop.y - b.y) < 20, JSON.stringify(q));
    // Its cuff's under end between the outer end and the armpit, near the armpit.
    assert.ok(q.cuffUnder.x > b.x && q.cuffUnder.x < c.x && q.cuffUnder.y > b.y, JSON.stringify(q));
  });

  it('is null for a sleeve with no pixels of its part', () => {
    const s: SleeveInfo = { root: quad.top, end: { x: 89.5, y: 323 }, length: 220, width: 70, area: 0 };
    assert.equal(garmentSleeveQuad(s, quad.under, { parts: new Uint8Array(300 * 400), width: 300, part: 2 }), null);
  });
});

describe('sleeveMap', () => {
  /** A person 400 × 600 whose left arm hangs straight down from the shoulder joint (100, 150) to the wrist. */
  function hangingArm(extra?: (person: ReturnType<typeof emptyMask>) => void) {
    // Only the fields the sleeve map reads: the left arm's joints, the hips and the shoulder width.
    const frame = {
      lShoulder: { x: 100, y: 150 },
      lElbow: { x: 100, y: 270 },
      lWrist: { x: 100, y: 390 },
      lHip: { x: 130, y: 400 },
      rHip: { x: 270, y: 400 },
      shoulderWidth: 200,
    } as BodyFrame;
    const person = emptyMask(400, 600);
    for (let y = 130; y < 420; y++) for (let x = 75; x < 125; x++) person.data[y * 400 + x] = 1; // the arm
    extra?.(person);
    const parsing = { width: 400, height: 600, frame, person } as unknown as PersonParsing;
    // The torso map: the identity shifted so that the garment's shoulder corner lands on the body's (90, 140).
    const shift = { x: 90 - quad.top.x, y: 140 - quad.top.y };
    const tps = { map: (x: number, y: number) => ({ x: x + shift.x, y: y + shift.y }) };
    const s: SleeveInfo = { root: quad.top, end: { x: 89.5, y: 323 }, length: 220, width: 70, area: 14_000 };
    return sleeveMap(s, quad.under, armJoints(frame, -1), parsing, 1, tps, sleevePixels())!;
  }

  it('hangs a steep short sleeve from the shoulder along a hanging arm, not out sideways', () => {
    const map = hangingArm();
    // The middle of the sleeve's top edge, and of the sleeve itself: on the arm (x within its band), below the
    // shoulder, above the elbow.
    for (const [u, v] of [
      [0.5, 0.05],
      [0.6, 0.5],
      [0.95, 0.5],
    ] as const) {
      const p = map(bilinear(quad, u, v).x, bilinear(quad, u, v).y);
      assert.ok(p.x > 55 && p.x < 145 && p.y > 150 && p.y < 400, `(${u}, ${v}) → ${JSON.stringify(p)}`);
    }
    // The cuff's two ends at about the same height (a sleeve hem across the arm), the top one on the arm's outside.
    const cuffTop = map(quad.cuffTop.x, quad.cuffTop.y);
    const cuffUnder = map(quad.cuffUnder.x, quad.cuffUnder.y);
    assert.ok(Math.abs(cuffTop.y - cuffUnder.y) < 60, JSON.stringify({ cuffTop, cuffUnder }));
    assert.ok(cuffTop.x < cuffUnder.x, JSON.stringify({ cuffTop, cuffUnder }));
  });

  it('keeps the cuff to an arm’s width where the silhouette beside the arm is something else (a held helmet)', () => {
    // A helmet against the arm at the cuff’s height (x 20..75 and 125..180, y 250..380): across the bone the
    // silhouette is 160 px wide there, the arm 50.
    const map = hangingArm((person) => {
      for (let y = 250; y < 380; y++) for (let x = 20; x < 180; x++) person.data[y * 400 + x] = 1;
    });
    const cuffTop = map(quad.cuffTop.x, quad.cuffTop.y);
    const cuffUnder = map(quad.cuffUnder.x, quad.cuffUnder.y);
    const width = Math.hypot(cuffTop.x - cuffUnder.x, cuffTop.y - cuffUnder.y);
    assert.ok(width < 100, `cuff ${width.toFixed(0)} px wide`);
  });
});
