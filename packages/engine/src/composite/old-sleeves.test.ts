import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BodyFrame } from '../body/frame.js';
import type { PersonParsing } from '../body/parsing.js';
import { type BinaryMask, emptyMask } from '../raster/mask.js';
import type { RawImage } from '../vision/types.js';
import { OFF_ARM, ON_ARM, oldSleeves } from './old-sleeves.js';

// A 200×300 photo, as in arm-fill.test.ts: an upper arm hanging from a shoulder joint at (100, 40) to an elbow at
// (100, 240), 40 px across (x 80..119), its red channel a ramp across it; a grey wall around. An old sleeve 70 px across
// (x 65..134) covers it from the top down to row `hem` - 1, and the new garment covers none of it (all of it is
// residue). The other shoulder is off the photo at x 300: oldSleeves only repaints outside the shoulder joints, x < 100.
const W = 200;
const H = 300;
const SLEEVE = [180, 160, 210];

function scene(hem: number) {
  const img: RawImage = { data: new Uint8Array(W * H * 3), width: W, height: H, channels: 3 };
  const mask = () => emptyMask(W, H);
  const [skin, old, arm, person] = [mask(), mask(), mask(), mask()];
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const onArm = x >= 80 && x < 120 && y >= 40 && y <= 240;
      const inSleeve = y < hem && x >= 65 && x < 135;
      img.data.set(inSleeve ? SLEEVE : onArm ? [100 + (x - 80) * 3, 120, 90] : [135, 135, 135], p * 3);
      if (inSleeve) old.data[p] = 1;
      else if (onArm) skin.data[p] = 1;
      if (onArm) arm.data[p] = 1;
      if (onArm || inSleeve) person.data[p] = 1;
    }
  }
  const frame = {
    lShoulder: { x: 100, y: 40 },
    lElbow: { x: 100, y: 240 },
    rShoulder: { x: 300, y: 40 },
    rElbow: null,
    shoulderWidth: 160,
  } as unknown as BodyFrame;
  const none = mask();
  const parsing = {
    width: W,
    height: H,
    frame,
    person,
    skin,
    lowerClothes: none,
    armLeft: arm,
    armRight: none,
    torso: none,
    neck: none,
    head: none,
    upperBody: none,
  } as unknown as PersonParsing;
  const residue: BinaryMask = { ...old, data: old.data.slice() };
  return { img, parsing, old, residue, alpha: new Float32Array(W * H) };
}

describe('oldSleeves', () => {
  it('repaints an old short sleeve as the arm continued from below its hem, and the sleeve beside it as wall', () => {
    const s = scene(140);
    const { sleeveFill, offArm, withArms } = oldSleeves(s.img, s.parsing, s.old, s.residue, s.alpha, [
      0,
      0,
      W - 1,
      H - 1,
    ]);
    for (const x of [82, 90, 98]) {
      const p = 130 * W + x;
      assert.equal(sleeveFill[p], ON_ARM, `(${x},130) is arm`);
      assert.ok(Math.abs(withArms.data[p * 3]! - (100 + (x - 80) * 3)) <= 3, `(${x},130) takes its column's red`);
    }
    for (const x of [67, 74]) assert.equal(sleeveFill[130 * W + x], OFF_ARM, `(${x},130) is wall`);
    assert.ok(offArm && offArm[0] <= 67 && offArm[2] >= 74);
    assert.equal(s.residue.data[130 * W + 90], 1, 'the sleeve over the arm is still repainted');
  });

  it('keeps an old sleeve whose arm cannot be continued (it reaches past the elbow) as photographed', () => {
    const s = scene(250);
    const { sleeveFill, withArms } = oldSleeves(s.img, s.parsing, s.old, s.residue, s.alpha, [0, 0, W - 1, H - 1]);
    for (const y of [60, 130, 230]) {
      for (const x of [82, 90, 98]) {
        const p = y * W + x;
        assert.equal(s.residue.data[p], 0, `(${x},${y}) is no longer residue`);
        assert.equal(sleeveFill[p], 0, `(${x},${y}) is not repainted`);
        assert.deepEqual([...withArms.data.subarray(p * 3, p * 3 + 3)], SLEEVE, `(${x},${y}) keeps the sleeve`);
      }
    }
  });
});
