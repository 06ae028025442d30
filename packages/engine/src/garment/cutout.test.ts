/**
 * The flat-lay cut-out on drawn product photos whose truth is known: a white tee on a pale grey background (the case
 * that failed on VITON-HD-style studio photos), with a faint outline, folds, a soft drop shadow, a coloured print and a
 * white one, sensor noise and a JPEG round trip; and the background variants around it (flat synthetic grey,
 * vignetting, a padded strip of another shade along one side).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { EngineError } from '../engine.js';
import { distanceToSet } from '../raster/distance.js';
import { drawPolygon, type P } from '../raster/draw.js';
import { type BinaryMask, emptyMask, shareOf } from '../raster/mask.js';
import { decodeImage } from '../vision/person-detector.js';
import type { RawImage } from '../vision/types.js';
import { borderUniformity, cutOutFlatLay, textureBarrier } from './cutout.js';
import { cutFlatLay } from './flat-lay.js';

const W = 576;
const H = 768;
type Rgb = [number, number, number];

/** A deterministic generator in [0, 1) (the tests must not depend on Math.random). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A short-sleeved tee with a scooped neck, in frame fractions. */
const TEE: [number, number][] = [
  [0.4, 0.16],
  [0.28, 0.19],
  [0.1, 0.31],
  [0.17, 0.41],
  [0.29, 0.35],
  [0.3, 0.85],
  [0.7, 0.85],
  [0.71, 0.35],
  [0.83, 0.41],
  [0.9, 0.31],
  [0.72, 0.19],
  [0.6, 0.16],
  [0.55, 0.2],
  [0.5, 0.21],
  [0.45, 0.2],
];

function polygonMask(pts: [number, number][], dx = 0, dy = 0): BinaryMask {
  const m = emptyMask(W, H);
  drawPolygon(
    m,
    pts.map(([x, y]): P => ({ x: x * W + dx, y: y * H + dy })),
  );
  return m;
}

interface Scene {
  img: RawImage;
  tee: BinaryMask;
  /** Prints on the tee: a red disc and a white panel (whiter than the tee, with a hairline border). */
  prints: BinaryMask;
  /** Background pixels the drop shadow darkens by 6 levels or more, 3 px or more from the tee. */
  shadow: BinaryMask;
}

interface SceneOptions {
  /** Background colour at a pixel before noise and shadow. */
  background: (x: number, y: number) => Rgb;
  /** Uniform noise amplitude (levels) on the whole photo. */
  noise: number;
  /** Largest darkening of the drop shadow below and right of the tee (0: none). */
  shadowDrop: number;
  /** The fabric's mean level, and how much darker the seam along its outline is. */
  fabric: number;
  seam: number;
  /** Within this many px of the outline the fabric fades down to the backdrop's level (default 0: no fade). */
  edgeFade?: number;
  /** Draw the prints (default true). */
  prints?: boolean;
  seed: number;
}

/** Draws the scene and sends it through a JPEG round trip (quality 90), as product photos arrive. */
async function drawScene(o: SceneOptions): Promise<Scene> {
  const rand = lcg(o.seed);
  const tee = polygonMask(TEE);
  const outsideTee = distanceToSet(tee);
  const insideTee = distanceToSet({ data: tee.data.map((v) => v ^ 1), width: W, height: H });
  const cast = distanceToSet(polygonMask(TEE, 6, 9));
  const prints = emptyMask(W, H);
  const data = new Uint8Array(W * H * 3);
  const shadow = emptyMask(W, H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      let c: Rgb;
      if (tee.data[p]) {
        // White fabric 245–251 (folds) with a weave of ±1, a hair cooler than the background; a seam 6 levels
        // darker along the outline.
        const fold = 3 * Math.sin(x / 23) * Math.cos(y / 31);
        const depth = Math.sqrt(insideTee[p]!);
        const fade = o.edgeFade ? Math.max(0, 1 - depth / o.edgeFade) * (o.fabric - o.background(x, y)[0]) : 0;
        const v = o.fabric + fold - fade + Math.round(rand() * 2 - 1) - (depth <= 1.5 ? o.seam : 0);
        c = [v, v, v + 1];
        if (o.prints ?? true) {
          const disc = Math.hypot(x - 0.5 * W, y - 0.36 * H) <= 0.07 * W;
          const dx = Math.abs(x - 0.5 * W);
          const dy = Math.abs(y - 0.58 * H);
          const panel = dx <= 0.12 * W && dy <= 0.08 * H;
          if (disc) c = [200, 40, 50];
          else if (panel) c = dx > 0.12 * W - 1 || dy > 0.08 * H - 1 ? [236, 236, 236] : [254, 254, 254];
          if (disc || panel) prints.data[p] = 1;
        }
      } else {
        c = o.background(x, y);
        // The shadow: full under the tee shifted by (6, 9), fading over 8 px beyond it.
        const strength = Math.max(0, 1 - Math.sqrt(cast[p]!) / 8);
        const drop = o.shadowDrop * strength * Math.min(1, Math.sqrt(outsideTee[p]!) / 3);
        if (drop >= 6 && outsideTee[p]! >= 9) shadow.data[p] = 1;
        c = [c[0] - drop, c[1] - drop, c[2] - drop];
      }
      for (let k = 0; k < 3; k++) {
        const n = o.noise > 0 ? Math.round((rand() * 2 - 1) * o.noise) : 0;
        data[p * 3 + k] = Math.max(0, Math.min(255, Math.round(c[k]! + n)));
      }
    }
  }
  const jpeg = await sharp(data, { raw: { width: W, height: H, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
  return { img: await decodeImage(jpeg), tee, prints, shadow };
}

function iou(a: BinaryMask, b: BinaryMask): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.data.length; i++) {
    if (a.data[i] && b.data[i]) inter++;
    if (a.data[i] || b.data[i]) union++;
  }
  return inter / union;
}

function checkTee(scene: Scene): void {
  const cut = cutOutFlatLay(scene.img);
  const score = iou(cut.mask, scene.tee);
  assert.ok(score >= 0.98, `IoU with the drawn tee ${score.toFixed(3)}`);
  assert.ok(shareOf(cut.mask, scene.prints) >= 0.995, 'the prints, the white one too, stay garment');
  if (scene.shadow.data.some((v) => v)) {
    const kept = shareOf(cut.mask, scene.shadow);
    assert.ok(kept <= 0.05, `${(kept * 100).toFixed(1)} % of the drop shadow kept as garment`);
  }
}

describe('flat-lay cut-out of a white tee on a pale background', () => {
  it('on the flat 246 grey of a VITON-HD-style studio photo', async () => {
    checkTee(
      await drawScene({ background: () => [246, 246, 246], noise: 0, shadowDrop: 0, fabric: 248, seam: 6, seed: 1 }),
    );
  });

  it('on a photographed pale grey sweep: vignetting, a gradient, noise and a soft drop shadow', async () => {
    const background = (x: number, y: number): Rgb => {
      const r2 = ((x - W / 2) / (W / 2)) ** 2 + ((y - H / 2) / (H / 2)) ** 2;
      const v = 243 - 5 * r2 - (3 * x) / W;
      return [v + 1, v, v - 1];
    };
    checkTee(await drawScene({ background, noise: 2, shadowDrop: 30, fabric: 248, seam: 6, seed: 2 }));
  });

  for (const strip of [12, 4]) {
    it(`on beige with a padded white strip ${strip} px thick along the bottom (each side of the border is plain)`, async () => {
      const background = (_x: number, y: number): Rgb => (y >= H - strip ? [255, 252, 249] : [236, 227, 220]);
      const scene = await drawScene({ background, noise: 1, shadowDrop: 0, fabric: 248, seam: 6, seed: 3 });
      assert.ok(borderUniformity(scene.img).uniform >= 0.8, 'a plain border');
      checkTee(scene);
    });
  }

  it('fails with GARMENT_NOT_DETECTED when the tee cannot be told from a noisy background', async () => {
    // Plain fabric at the background's level, no seam, under ±6 levels of noise: there is no outline to cut along,
    // and that is said rather than guessed.
    const { img } = await drawScene({
      background: () => [246, 246, 246],
      noise: 6,
      shadowDrop: 0,
      fabric: 246,
      seam: 0,
      prints: false,
      seed: 4,
    });
    assert.throws(
      () => cutOutFlatLay(img),
      (err: unknown) => err instanceof EngineError && err.code === 'GARMENT_NOT_DETECTED',
    );
  });
});

describe('flat-lay cut-out by texture, on a digitally flat backdrop (flat-lay.ts)', () => {
  // White fabric that fades to the backdrop's very level along its edge, with no seam: colour cannot see that edge
  // (the fill walks in), the weave can.
  const paleOnFlat = (shadowDrop: number, seed: number) =>
    drawScene({
      background: () => [246, 246, 246],
      noise: 0,
      shadowDrop,
      fabric: 252,
      seam: 0,
      edgeFade: 12,
      prints: false,
      seed,
    });

  it('finds the edge of a tee whose fabric has the backdrop colour, where the colour fill walks in', async () => {
    const scene = await paleOnFlat(0, 5);
    const byColour = cutOutFlatLay(scene.img);
    const cut = cutFlatLay(scene.img, borderUniformity(scene.img));
    assert.equal(cut.barrier, 'texture');
    const score = iou(cut.mask, scene.tee);
    assert.ok(score >= 0.97, `IoU with the drawn tee ${score.toFixed(3)}`);
    assert.ok(iou(byColour.mask, scene.tee) < score - 0.02, 'the colour fill alone bites into the fabric');
  });

  it('does not take a drop shadow for garment: with the texture cut refused, the unseen outline is refused', async () => {
    const scene = await paleOnFlat(30, 6);
    const byTexture = cutOutFlatLay(scene.img, { byTexture: true });
    assert.ok(shareOf(byTexture.mask, scene.shadow) > 0.5, 'the texture barrier alone stops at the shadow');
    assert.throws(
      () => cutFlatLay(scene.img, borderUniformity(scene.img)),
      (err: unknown) => err instanceof EngineError && err.code === 'GARMENT_NOT_DETECTED',
    );
  });

  it('is not tried on a backdrop with texture of its own (a photographed sweep)', async () => {
    const { img } = await drawScene({
      background: () => [243, 243, 243],
      noise: 2,
      shadowDrop: 0,
      fabric: 248,
      seam: 6,
      seed: 7,
    });
    assert.equal(textureBarrier(img), null);
  });
});
