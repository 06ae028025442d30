import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { EngineError } from '../engine.js';
import { GARMENT_TITLES } from '../quality/fixtures.js';
import { components } from '../raster/components.js';
import { decodeImage } from '../vision/person-detector.js';
import { readGarment } from '../vision/test-fixtures.js';
import type { RawImage } from '../vision/types.js';
import { analyzeGarment, decontaminateRim, GarmentCache } from './analyze.js';
import { classifyGarment } from './classify.js';
import { cutOutFlatLay } from './cutout.js';
import { findLandmarks, type Point } from './landmarks.js';

const FLAT_LAYS = [
  'upper-1.jpg',
  'upper-2.jpg',
  'upper-3.jpg',
  'upper-4.jpg',
  'synthetic-tee.png',
  'dress-1.jpg',
  'dress-2.jpg',
  'dress-3.jpg',
  'dress-4.jpg',
];

async function load(name: string): Promise<RawImage> {
  return decodeImage(readGarment(name), { maxSide: 768 });
}

/** Distance from p to the nearest mask boundary pixel (a set pixel with an unset 4-neighbour). */
function distToContour(mask: { data: Uint8Array; width: number; height: number }, p: Point): number {
  const { width: w, height: h, data } = mask;
  let best = Number.POSITIVE_INFINITY;
  for (let y = 1; y < h - 1; y++)
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      if (!data[i] || (data[i - 1] && data[i + 1] && data[i - w] && data[i + w])) continue;
      best = Math.min(best, Math.hypot(x - p.x, y - p.y));
    }
  return best;
}

describe('flat-lay cut-out', () => {
  for (const name of FLAT_LAYS) {
    it(`${name}: one connected shape, plausible share, landmarks on the contour`, async () => {
      const img = await load(name);
      const cut = cutOutFlatLay(img);
      const comps = components(cut.mask);
      assert.equal(comps.sizes.length - 1, 1, 'exactly one connected garment shape');
      assert.ok(cut.areaShare > 0.2 && cut.areaShare < 0.9, `area share ${cut.areaShare}`);
      const lm = findLandmarks(cut.mask);
      assert.ok(lm);
      const tol = Math.max(img.width, img.height) * 0.03;
      for (const [k, p] of Object.entries({
        neck: lm.neck,
        sl: lm.shoulderLeft,
        sr: lm.shoulderRight,
        hl: lm.hemLeft,
        hr: lm.hemRight,
      })) {
        assert.ok(distToContour(cut.mask, p) <= tol, `${k} (${p.x.toFixed(0)},${p.y.toFixed(0)}) lies on the contour`);
      }
      assert.ok(lm.shoulderLeft.x < lm.centerX && lm.shoulderRight.x > lm.centerX, 'shoulders either side of the axis');
      assert.ok(lm.hemCenter.y > lm.armpitLeft.y && lm.armpitLeft.y > lm.neck.y, 'neck above armpits above hem');
    });
  }
});

describe('classification', () => {
  const expected: Record<string, [string, string]> = {
    'upper-1.jpg': ['upper', 'long'],
    'upper-2.jpg': ['upper', 'none'],
    'upper-3.jpg': ['upper', 'short'],
    'upper-4.jpg': ['upper', 'short'],
    'synthetic-tee.png': ['upper', 'short'],
    'dress-1.jpg': ['dress', 'none'],
    'dress-2.jpg': ['dress', 'none'],
    'dress-3.jpg': ['dress', 'short'],
    'dress-4.jpg': ['dress', 'short'],
  };
  for (const [name, [category, sleeve]] of Object.entries(expected)) {
    it(`${name} → ${category}/${sleeve} with its title`, async () => {
      const g = await analyzeGarment({ data: readGarment(name), contentHash: name, role: null }, GARMENT_TITLES[name]!);
      assert.equal(g.cls.category, category);
      assert.equal(g.cls.sleeve, sleeve);
      if (sleeve === 'none') {
        assert.equal(g.landmarks.sleeveLeft, null);
        assert.equal(g.landmarks.sleeveRight, null);
      }
      if (name === 'dress-2.jpg') {
        // The one-shoulder dress's shoulder panel sticks out past the side line like a sleeve; sleeveless by the
        // words, it is warped with the torso (as a sleeve it was bent down the arm): every garment pixel is torso.
        let other = 0;
        for (let i = 0; i < g.mask.data.length; i++) if (g.mask.data[i] && g.landmarks.parts[i] !== 1) other++;
        assert.equal(other, 0);
      }
    });
  }
  it('shape alone separates tops from dresses and finds sleeves on the sleeved flat-lays', async () => {
    for (const name of [
      'upper-3.jpg',
      'upper-4.jpg',
      'synthetic-tee.png',
      'dress-3.jpg',
      'dress-4.jpg',
      'upper-1.jpg',
    ]) {
      const cut = cutOutFlatLay(await load(name));
      const cls = classifyGarment({ title: null, description: null }, findLandmarks(cut.mask)!);
      assert.equal(cls.source.category, 'shape');
      assert.equal(cls.category, expected[name]![0], `${name} category by shape`);
      assert.equal(cls.sleeve, expected[name]![1], `${name} sleeve by shape`);
    }
  });
  it('sleeves hanging beside the body are told apart by the gap between them: the cardigan’s armpits are high', async () => {
    // The cut-out's rim closes the gap's tip (a wedge a pixel or two wide, below the sleeve's jump); counting the gap
    // from there put the right side's gap at exactly half its rows, the jump was taken for the armpit, and the
    // cardigan was fitted with armpits at its hem.
    const cut = cutOutFlatLay(await load('upper-1.jpg'));
    const lm = findLandmarks(cut.mask)!;
    const [, y0, , y1] = lm.bbox;
    for (const armpit of [lm.armpitLeft, lm.armpitRight]) {
      assert.ok(
        (armpit.y - y0) / (y1 - y0) < 0.45,
        `armpit at ${((armpit.y - y0) / (y1 - y0)).toFixed(2)} of the height`,
      );
    }
  });
  it('refuses shoes and jumpsuits by name with UNSUPPORTED_GARMENT', async () => {
    const data = readGarment('upper-4.jpg');
    await assert.rejects(
      analyzeGarment({ data, contentHash: 'x', role: null }, { title: 'Denim jumpsuit', description: null }),
      (err: unknown) => err instanceof EngineError && err.code === 'UNSUPPORTED_GARMENT',
    );
  });
  it('caches the cut-out by content hash', async () => {
    const cache = new GarmentCache(2);
    const data = readGarment('synthetic-tee.png');
    const a = await analyzeGarment(
      { data, contentHash: 'h1', role: null },
      { title: 'Tee', description: null },
      { cache },
    );
    const b = await analyzeGarment(
      { data, contentHash: 'h1', role: null },
      { title: 'Tee', description: null },
      { cache },
    );
    assert.equal(cache.size, 1);
    assert.equal(a.mask, b.mask, 'second analysis reuses the cached mask');
  });
  it('reads a transparent product PNG on white, whatever colour its transparent pixels hold', async () => {
    // The synthetic tee with its white background made transparent, black under the alpha (as many cut-out product
    // PNGs store it).
    const { data: rgba, info } = await sharp(readGarment('synthetic-tee.png'))
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    let transparent = 0;
    for (let i = 0; i < rgba.length; i += 4) {
      if (rgba[i]! < 245 || rgba[i + 1]! < 245 || rgba[i + 2]! < 245) continue;
      rgba.fill(0, i, i + 4);
      transparent++;
    }
    assert.ok(transparent > info.width * info.height * 0.3, 'most of the frame is now transparent');
    const png = await sharp(rgba, { raw: { width: info.width, height: info.height, channels: 4 } })
      .png()
      .toBuffer();
    const g = await analyzeGarment(
      { data: png, contentHash: 'alpha', role: null },
      { title: 'Tee', description: null },
    );
    assert.equal(g.source, 'flat-lay');
    assert.ok(
      g.background.every((c) => c >= 250),
      `background ${g.background.join(',')} (not the black under the alpha)`,
    );
  });
});

describe('flat-lay rim', () => {
  it('gives the pale anti-aliased outline the colour of the garment just inside it', () => {
    const w = 40;
    const h = 40;
    const data = new Uint8Array(w * h * 3).fill(255);
    const mask = { data: new Uint8Array(w * h), width: w, height: h };
    for (let y = 8; y < 32; y++) {
      for (let x = 8; x < 32; x++) {
        const p = y * w + x;
        mask.data[p] = 1;
        // A 2-px rim blended half-way to the white background, red inside.
        const rim = Math.min(x - 8, 31 - x, y - 8, 31 - y) < 2;
        data.set(rim ? [230, 128, 128] : [200, 0, 0], p * 3);
      }
    }
    const out = decontaminateRim({ data, width: w, height: h, channels: 3 }, mask);
    const at = (x: number, y: number) => Array.from(out.data.subarray((y * w + x) * 3, (y * w + x) * 3 + 3));
    assert.deepEqual(at(8, 20), [200, 0, 0]);
    assert.deepEqual(at(9, 9), [200, 0, 0]);
    assert.deepEqual(at(20, 20), [200, 0, 0]);
    assert.deepEqual(at(2, 2), [255, 255, 255]); // background untouched
  });
});
