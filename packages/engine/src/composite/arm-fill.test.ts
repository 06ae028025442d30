import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BodyFrame } from '../body/frame.js';
import { type BinaryMask, emptyMask } from '../raster/mask.js';
import type { RawImage } from '../vision/types.js';
import { continuedUpperArms } from './arm-fill.js';

// A 200×300 photo: a vertical arm from a shoulder joint at (100, 40) to an elbow at (100, 240), 40 px across
// (x 80..119), its red channel a ramp across it (the light and shadow sides); a grey wall around. An old sleeve,
// 70 px across (x 65..134), covers it from the top down to row `hem` - 1.
const W = 200;
const H = 300;
const SW = 160;

function scene(hem: number) {
  const img: RawImage = { data: new Uint8Array(W * H * 3), width: W, height: H, channels: 3 };
  const skin: BinaryMask = emptyMask(W, H);
  const old: BinaryMask = emptyMask(W, H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const onArm = x >= 80 && x < 120;
      const inSleeve = y < hem && x >= 65 && x < 135;
      const rgb = inSleeve ? [180, 160, 210] : onArm ? [100 + (x - 80) * 3, 120, 90] : [135, 135, 135];
      img.data.set(rgb, p * 3);
      if (inSleeve) old.data[p] = 1;
      else if (onArm) skin.data[p] = 1;
    }
  }
  const frame = {
    lShoulder: { x: 100, y: 40 },
    lElbow: { x: 100, y: 240 },
    rShoulder: { x: 260, y: 40 },
    rElbow: null,
    shoulderWidth: SW,
  } as unknown as BodyFrame;
  return { img, skin, old, frame };
}

describe('continuedUpperArms', () => {
  it('carries the arm seen below the hem up under the sleeve, and the sleeve beside it is wall', () => {
    const { img, skin, old, frame } = scene(140);
    const at = continuedUpperArms(img, frame, skin, old);
    // Just above the hem the arm is as wide as below it: each column keeps its own colour.
    for (const x of [82, 90, 100, 110, 117]) {
      const s = at(x, 130);
      assert.ok(s?.kind === 'skin', `(${x},130) is arm`);
      assert.ok(Math.abs(s.rgb[0] - (100 + (x - 80) * 3)) <= 3, `(${x},130) keeps its column's red (${s.rgb[0]})`);
      assert.equal(s.rgb[1], 120);
    }
    for (const x of [67, 74, 126, 132]) assert.deepEqual(at(x, 130), { kind: 'background' }, `(${x},130)`);
    // Towards the shoulder the arm widens (the deltoid): a column just outside the arm below is arm near the top.
    assert.equal(at(76, 130)?.kind, 'background');
    assert.equal(at(76, 50)?.kind, 'skin');
    // Far from the bone line, and below the hem, it has nothing to say.
    assert.equal(at(10, 100), null);
    assert.equal(at(100, 200), null);
  });

  it('gives nothing when the sleeve reaches the elbow: there is no arm to continue', () => {
    const { img, skin, old, frame } = scene(250);
    assert.equal(continuedUpperArms(img, frame, skin, old)(100, 100), null);
  });
});
