import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BodyFrame } from '../body/frame.js';
import type { PersonParsing } from '../body/parsing.js';
import type { BodyTargets } from '../fit/targets.js';
import type { GarmentLayer } from '../fit/warp.js';
import { type BinaryMask, emptyMask } from '../raster/mask.js';
import { stretchToBodySides } from './sides.js';

// A 200×200 frame: shoulders at y 40 (x 60 and 140, 80 px apart), hips at y 160. The body's torso is the rectangle
// x 50..150, y 40..160; the new garment's panel spans x 62..138 with a colour that encodes its x (red = x).
const W = 200;
const H = 200;
const SW = 80;

function rect(x0: number, y0: number, x1: number, y1: number): BinaryMask {
  const m = emptyMask(W, H);
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) m.data[y * W + x] = 1;
  return m;
}

function scene(oldTop: BinaryMask) {
  const frame = {
    lShoulder: { x: 60, y: 40 },
    rShoulder: { x: 140, y: 40 },
    lHip: { x: 70, y: 160 },
    rHip: { x: 130, y: 160 },
    shoulderWidth: SW,
  } as BodyFrame;
  // Only the fields stretchToBodySides reads; no arms and no skin unless a test adds them.
  const none = emptyMask(W, H);
  const parsing = {
    width: W,
    height: H,
    frame,
    person: rect(0, 0, W - 1, H - 1),
    torso: rect(50, 40, 150, 160),
    upperClothes: oldTop,
    lowerClothes: none,
    skin: none,
    armLeft: none,
    armRight: none,
    forearmLeft: none,
    forearmRight: none,
  } as unknown as PersonParsing;
  const layer: GarmentLayer = {
    width: W,
    height: H,
    rgb: new Float32Array(W * H * 3),
    alpha: new Float32Array(W * H),
    part: new Uint8Array(W * H),
  };
  for (let y = 30; y <= 170; y++) {
    for (let x = 62; x <= 138; x++) {
      const p = y * W + x;
      layer.alpha[p] = 1;
      layer.part[p] = 1;
      layer.rgb[p * 3] = x;
      layer.rgb[p * 3 + 1] = 100;
      layer.rgb[p * 3 + 2] = 50;
    }
  }
  const targets = {
    armpitLeft: { x: 62, y: 70 },
    armpitRight: { x: 138, y: 70 },
    hemLeft: { x: 62, y: 170 },
    hemRight: { x: 138, y: 170 },
  } as BodyTargets;
  return { parsing, layer, targets };
}

describe('stretchToBodySides', () => {
  it('stretches the panel over the old top on the torso, keeping the middle and the row order of the print', () => {
    const { parsing, layer, targets } = scene(rect(50, 40, 150, 175));
    const before = Float32Array.from(layer.rgb);
    const added = stretchToBodySides(layer, parsing, targets);
    assert.ok(added > 0);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const p = y * W + x;
        const inTorsoBelowArmpits = x >= 50 && x <= 150 && y >= 70 && y <= 160;
        const wasPanel = x >= 62 && x <= 138 && y >= 30 && y <= 170;
        // Newly covered: exactly the old top on the torso beside the panel, from the armpits to the hips.
        if (!wasPanel) assert.equal(layer.alpha[p]! > 0.5, inTorsoBelowArmpits, `(${x},${y})`);
      }
    }
    for (let y = 75; y <= 155; y++) {
      const row = y * W;
      // The middle (beyond the stretched bands of 0.25 shoulder widths) is untouched.
      for (let x = 62 + 20; x <= 138 - 20; x++) assert.equal(layer.rgb[(row + x) * 3], before[(row + x) * 3]);
      // The edge colour moves out to the torso's edge, and the print stays in order across the band.
      assert.ok(Math.abs(layer.rgb[(row + 50) * 3]! - 62) < 1e-3, `left edge colour on row ${y}`);
      assert.ok(Math.abs(layer.rgb[(row + 150) * 3]! - 138) < 1e-3, `right edge colour on row ${y}`);
      for (let x = 51; x <= 150; x++) assert.ok(layer.rgb[(row + x) * 3]! >= layer.rgb[(row + x - 1) * 3]!);
    }
  });

  it('reaches for nothing but the old top: bare skin beside the panel stays bare', () => {
    const { parsing, layer, targets } = scene(rect(62, 40, 138, 175));
    const alpha = Float32Array.from(layer.alpha);
    assert.equal(stretchToBodySides(layer, parsing, targets), 0);
    assert.deepEqual(layer.alpha, alpha);
  });

  it('reaches at most a fifth of the shoulder width, and only on the side where the old top shows', () => {
    // The old top runs 40 px past the panel's left edge (more than 0.2 × 80 = 16 px) and not at all on the right.
    const { parsing, layer, targets } = scene(rect(22, 40, 138, 175));
    parsing.torso = rect(22, 40, 150, 160);
    stretchToBodySides(layer, parsing, targets);
    const row = 120 * W;
    assert.ok(layer.alpha[row + 62 - 16]! > 0.5 && layer.alpha[row + 62 - 18]! === 0, 'left reach capped at 16 px');
    assert.equal(layer.alpha[row + 139], 0, 'the right side is not stretched');
  });

  // A left arm hanging beside the torso (x 30..49): its capsule from the shoulder, its forearm's from y 100.
  const withLeftArm = (oldTop: BinaryMask, skin: BinaryMask) => {
    const sc = scene(oldTop);
    Object.assign(sc.parsing, { armLeft: rect(30, 40, 49, 160), forearmLeft: rect(30, 100, 49, 160), skin });
    return sc;
  };

  it("reaches for the old top's side inside a bare arm's capsule (the top's body, seen past an arm swung back)", () => {
    // The old top runs 10 px into the capsule; the forearm beside it is bare skin (x 30..39).
    const { parsing, layer, targets } = withLeftArm(rect(40, 40, 150, 175), rect(30, 100, 39, 160));
    stretchToBodySides(layer, parsing, targets);
    const row = 120 * W;
    assert.ok(layer.alpha[row + 47]! > 0.5, 'the old top inside the capsule is covered (to the 16 px reach)');
    assert.equal(layer.alpha[row + 45], 0, 'no further than the reach');
  });

  it("a sleeveless garment reaches into a bare forearm's capsule, not the upper arm's (a sleeve there)", () => {
    // The old top runs 10 px into the capsule on every row: beside the upper arm (rows 70..99) it is a short sleeve.
    const { parsing, layer, targets } = withLeftArm(rect(40, 40, 150, 175), rect(30, 100, 39, 160));
    stretchToBodySides(layer, parsing, targets, true);
    assert.equal(layer.alpha[85 * W + 47], 0, 'not over the upper arm');
    assert.ok(layer.alpha[120 * W + 47]! > 0.5, 'beside the forearm, as for any garment');
  });

  it('never reaches under an old long sleeve', () => {
    // The old top covers the whole forearm capsule and no skin shows: a long sleeve, kept as it is.
    const { parsing, layer, targets } = withLeftArm(rect(30, 40, 150, 175), emptyMask(W, H));
    stretchToBodySides(layer, parsing, targets);
    const row = 120 * W;
    assert.ok(layer.alpha[row + 50]! > 0.5, 'the torso is reached');
    assert.equal(layer.alpha[row + 49], 0, 'the sleeve is not');
  });
});
