/**
 * How much of a flat-lay garment's outline cannot be told from the backdrop: a white tee on a white sweep, a pale
 * knit on pale grey.
 *
 * The flood fill (cutout.ts) stops where the garment's edge has some contrast and keeps going where it has none.
 * Along an outline where the fabric just inside the edge has the backdrop's colour, the mask's edge is wherever the
 * fill happened to stop: ragged sleeves and a hem eaten in bites, which look torn once worn. One such stretch is
 * normal (a white collar, a pale cuff) and the fit hides it; when most of the outline is like that, the cut-out is a
 * guess and the result shows it, so the engine refuses the product instead.
 */

import { distanceToSet } from '../raster/distance.js';
import type { BinaryMask } from '../raster/mask.js';
import type { RawImage } from '../vision/types.js';

/** Levels (0–255) within which, in every channel, the fabric just inside the edge reads as the backdrop. */
const LOW_CONTRAST = 10;
/** The rim sampled for an outline pixel: garment pixels this deep (px), past the anti-aliased edge. */
const RIM_DEPTH = { min: 4, max: 6 };
/** The rim pixels averaged for an outline pixel lie within this radius (px) of it. */
const RIM_RADIUS = 6;

/**
 * The share of the garment's outline beyond which the cut-out is refused. Measured on the 55 flat-lays of the two
 * development sets: a white tee whose sleeves blend into a white sweep reads 0.74; every other garment 0.36 or less
 * (plain white tees on white 0.19–0.22).
 */
export const MAX_UNSEEN_OUTLINE = 0.55;

/**
 * The share (0–1) of `mask`'s outline pixels whose rim — the garment pixels 4–6 px inside, near them — has a mean
 * colour within LOW_CONTRAST of `background` in every channel. Outline pixels on the frame's edge are not counted
 * (the frame cut the garment there, the backdrop did not).
 */
export function unseenOutlineShare(img: RawImage, mask: BinaryMask, background: readonly number[]): number {
  const { width: w, height: h } = mask;
  const outside: BinaryMask = { width: w, height: h, data: new Uint8Array(w * h) };
  for (let p = 0; p < w * h; p++) outside.data[p] = mask.data[p] ? 0 : 1;
  const depthSq = distanceToSet(outside);
  const rim = rimSums(img, depthSq);

  let outline = 0;
  let unseen = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      if (!mask.data[y * w + x] || depthSq[y * w + x]! > 1) continue;
      const [n, r, g, b] = rim.around(x, y, RIM_RADIUS);
      if (n === 0) continue; // a strap or a thin edge with no rim: nothing to judge
      outline++;
      if ([r, g, b].every((sum, c) => Math.abs(sum / n - background[c]!) <= LOW_CONTRAST)) unseen++;
    }
  }
  return outline === 0 ? 0 : unseen / outline;
}

/**
 * Summed-area tables of the rim pixels (count, red, green, blue), so that the rim around each outline pixel is four
 * lookups rather than a window walk (the walk cost up to 130 ms a product; this costs a few).
 */
function rimSums(img: RawImage, depthSq: Float32Array) {
  const { width: w, height: h, channels: ch } = img;
  const W = w + 1;
  const tables = [0, 1, 2, 3].map(() => new Float64Array(W * (h + 1)));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const d = depthSq[p]!;
      const on = d >= RIM_DEPTH.min ** 2 && d <= RIM_DEPTH.max ** 2;
      const at = (y + 1) * W + x + 1;
      for (let i = 0; i < 4; i++) {
        const t = tables[i]!;
        const value = !on ? 0 : i === 0 ? 1 : img.data[p * ch + i - 1]!;
        t[at] = value + t[at - 1]! + t[at - W]! - t[at - W - 1]!;
      }
    }
  }
  return {
    /** [count, red, green, blue] summed over the rim pixels within `radius` of (x, y), the frame clipping it. */
    around(x: number, y: number, radius: number): [number, number, number, number] {
      const x0 = Math.max(0, x - radius);
      const y0 = Math.max(0, y - radius);
      const x1 = Math.min(w, x + radius + 1);
      const y1 = Math.min(h, y + radius + 1);
      const sum = (t: Float64Array) => t[y1 * W + x1]! - t[y0 * W + x1]! - t[y1 * W + x0]! + t[y0 * W + x0]!;
      return [sum(tables[0]!), sum(tables[1]!), sum(tables[2]!), sum(tables[3]!)];
    },
  };
}
