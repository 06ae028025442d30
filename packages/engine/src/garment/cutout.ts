/**
 * Cut-out of flat-lay product photos: a flood fill of the background from the frame border.
 *
 * Why a flood fill and not a threshold: garments are often close to the background colour in places (white knits,
 * grey sweaters) and a global colour threshold either eats those or keeps the shadow. Growing the background from the
 * border with a TIGHT colour tolerance, stopped by a barrier at strong gradients (the garment's outline), keeps the
 * garment interior out of reach even when some of its pixels equal the background colour. Soft drop shadows are
 * absorbed by a second rule: neutral darkening that changes slowly from pixel to pixel (a shadow is a low-frequency
 * luminance ramp; a garment edge is a step).
 */

import { EngineError } from '../engine.js';
import { median } from '../raster/colour.js';
import { components, fillHoles, largestComponent } from '../raster/components.js';
import { distanceToSet } from '../raster/distance.js';
import { type BinaryMask, countMask } from '../raster/mask.js';
import { open } from '../raster/morphology.js';
import type { RawImage } from '../vision/types.js';

export interface CutoutResult {
  /** 1 = garment. Same size as the analysed image. */
  mask: BinaryMask;
  /** Estimated background colour (per-channel median of the border ring). */
  background: [number, number, number];
  /** Share of the frame covered by the garment. */
  areaShare: number;
  /** Share of the foreground that the largest connected shape holds. */
  largestShare: number;
}

export interface CutoutOptions {
  /** Minimum share of the frame the garment must cover (white-on-white detection). */
  minAreaShare?: number;
  /** Minimum share of the foreground the largest shape must hold. */
  minLargestShare?: number;
  /** `borderUniformity(img)` when the caller has already computed it. */
  border?: BorderStats;
}

/** Width of the border ring sampled for the background estimate. */
const RING = 4;

export interface BorderStats {
  background: [number, number, number];
  uniform: number;
  noise: number;
}

/**
 * Is the frame border a plain studio background? Returns the share of ring pixels within `tol` of the median; a
 * flat-lay on a sweep scores > 0.9, an on-model street photo far less.
 */
export function borderUniformity(img: RawImage): BorderStats {
  const { width: w, height: h, channels: ch, data } = img;
  const samples: [number[], number[], number[]] = [[], [], []];
  const ring: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (x >= RING && x < w - RING && y >= RING && y < h - RING) {
        x = w - RING - 1;
        continue;
      }
      const p = (y * w + x) * ch;
      ring.push(p);
      samples[0].push(data[p]!);
      samples[1].push(data[p + 1]!);
      samples[2].push(data[p + 2]!);
    }
  }
  const bg: [number, number, number] = [median(samples[0]), median(samples[1]), median(samples[2])];
  const dists = ring.map((p) =>
    Math.max(Math.abs(data[p]! - bg[0]), Math.abs(data[p + 1]! - bg[1]), Math.abs(data[p + 2]! - bg[2])),
  );
  // Noise: the 75th percentile of the distance to the median among pixels that are plausibly background.
  const near = dists.filter((d) => d <= 24).sort((a, b) => a - b);
  const noise = near.length > 0 ? near[Math.floor(near.length * 0.75)]! : 24;
  const uniform = dists.filter((d) => d <= Math.max(6, 2 * noise + 4)).length / dists.length;
  return { background: bg, uniform, noise };
}

/** Largest channel difference between pixel p (index, not byte offset) and the background colour. */
function distToBg(img: RawImage, bg: [number, number, number], p: number): number {
  const { channels: ch, data } = img;
  return Math.max(
    Math.abs(data[p * ch]! - bg[0]),
    Math.abs(data[p * ch + 1]! - bg[1]),
    Math.abs(data[p * ch + 2]! - bg[2]),
  );
}

/** Per-pixel step size (half the central difference, max over channels): ~0–2 on a JPEG sweep, ≥ 5 at an outline. */
function stepSizes(img: RawImage): Uint8Array {
  const { width: w, height: h, channels: ch, data } = img;
  const grad = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const xl = x > 0 ? x - 1 : x;
      const xr = x < w - 1 ? x + 1 : x;
      const yu = y > 0 ? y - 1 : y;
      const yd = y < h - 1 ? y + 1 : y;
      let g = 0;
      for (let c = 0; c < 3; c++) {
        const gx = Math.abs(data[(y * w + xr) * ch + c]! - data[(y * w + xl) * ch + c]!);
        const gy = Math.abs(data[(yd * w + x) * ch + c]! - data[(yu * w + x) * ch + c]!);
        g = Math.max(g, gx, gy);
      }
      grad[y * w + x] = Math.min(255, g >> 1);
    }
  }
  return grad;
}

/** A soft shadow is at most this much darker than the background. */
const SHADOW_MAX_DROP = 0.35;

/**
 * The background flood fill from the frame border, in two passes: colour tolerance + gradient barrier only, then
 * re-grown from the whole pass-1 background with the shadow rule on. `viaShadow` marks what the second pass added.
 */
function fillBackground(
  img: RawImage,
  bg: [number, number, number],
  tol: number,
  barrier: number,
  noise: number,
): { isBg: Uint8Array; viaShadow: Uint8Array } {
  const { width: w, height: h, channels: ch, data } = img;
  const grad = stepSizes(img);
  const bgLum = 0.299 * bg[0] + 0.587 * bg[1] + 0.114 * bg[2];
  const isBg = new Uint8Array(w * h);
  const viaShadow = new Uint8Array(w * h);
  const queue = new Int32Array(w * h);
  let qh = 0;
  let qt = 0;
  let allowShadow = false;
  const tryJoin = (p: number, from: number) => {
    if (isBg[p]) return;
    const d = distToBg(img, bg, p);
    if (d <= tol && grad[p]! <= barrier) {
      isBg[p] = 1;
      if (allowShadow) viaShadow[p] = 1;
      queue[qt++] = p;
      return;
    }
    // Shadow rule: the pixel is a neutral darkening of the background (all channels drop by about the same amount),
    // at most ~35 % darker, and differs from the background pixel it was reached from by only a few levels: a soft
    // shadow ramps over tens of pixels, a garment edge steps within 1–3.
    if (!allowShadow || from < 0) return;
    const r = data[p * ch]!;
    const g = data[p * ch + 1]!;
    const b = data[p * ch + 2]!;
    const lum = 0.299 * r + 0.587 * g + 0.114 * b;
    const drop = bgLum - lum;
    if (drop <= 0 || drop > bgLum * SHADOW_MAX_DROP) return;
    const dr = bg[0] - r;
    const dg = bg[1] - g;
    const db = bg[2] - b;
    const mean = (dr + dg + db) / 3;
    const chroma = Math.max(Math.abs(dr - mean), Math.abs(dg - mean), Math.abs(db - mean));
    if (chroma > 4 + noise) return;
    const step = Math.max(
      Math.abs(r - data[from * ch]!),
      Math.abs(g - data[from * ch + 1]!),
      Math.abs(b - data[from * ch + 2]!),
    );
    if (step > 2 + noise || grad[p]! > barrier) return;
    isBg[p] = 1;
    viaShadow[p] = 1;
    queue[qt++] = p;
  };
  const drain = () => {
    while (qh < qt) {
      const p = queue[qh++]!;
      const x = p % w;
      if (x > 0) tryJoin(p - 1, p);
      if (x < w - 1) tryJoin(p + 1, p);
      if (p >= w) tryJoin(p - w, p);
      if (p < w * (h - 1)) tryJoin(p + w, p);
    }
  };
  for (let x = 0; x < w; x++) {
    tryJoin(x, -1);
    tryJoin((h - 1) * w + x, -1);
  }
  for (let y = 0; y < h; y++) {
    tryJoin(y * w, -1);
    tryJoin(y * w + w - 1, -1);
  }
  drain();
  allowShadow = true;
  qh = 0;
  qt = 0;
  for (let p = 0; p < w * h; p++) if (isBg[p]) queue[qt++] = p;
  drain();
  return { isBg, viaShadow };
}

/** A drop shadow is at most ~2 % of the frame's longer side in half-thickness (≈ 16 px at 768 px). */
const SHADOW_MAX_HALF_THICKNESS = 0.022;

/**
 * Everything the shadow pass added is checked: a drop shadow is a band hugging the outline, so each added component
 * must be thin (thickness = twice the largest distance from a component pixel to the nearest non-component pixel). A
 * white knit that the shadow rule walks into is thick, and is given back to the garment.
 */
function giveBackThickShadows(isBg: Uint8Array, viaShadow: Uint8Array, w: number, h: number): void {
  const addedComps = components({ data: viaShadow, width: w, height: h });
  if (addedComps.sizes.length <= 1) return;
  const inside = distanceToSet({ data: viaShadow.map((v) => v ^ 1), width: w, height: h });
  const maxR = new Float64Array(addedComps.sizes.length);
  for (let i = 0; i < inside.length; i++) {
    const l = addedComps.labels[i]!;
    if (l > 0 && inside[i]! > maxR[l]!) maxR[l] = inside[i]!;
  }
  const limit = (SHADOW_MAX_HALF_THICKNESS * Math.max(w, h)) ** 2;
  for (let i = 0; i < inside.length; i++) {
    const l = addedComps.labels[i]!;
    if (l > 0 && maxR[l]! > limit) {
      isBg[i] = 0;
      viaShadow[i] = 0;
    }
  }
}

/** Holes under this share of the frame are fabric detail (buttons, prints with background colour): kept. */
const MIN_HOLE_SHARE = 0.001;
/** A larger hole is background when this share of its pixels is background-coloured. */
const HOLE_BG_SHARE = 0.7;

/**
 * The garment: what the fill did not reach (the barrier pixels of the outline itself stay foreground: they are the
 * garment's edge), its speckles opened away, its largest shape. Enclosed holes (between a strap and the body, inside
 * a keyhole) are background only when they look like it: all holes are filled, then enclosed regions whose pixels
 * are background-coloured are carved out again.
 */
function garmentShape(
  img: RawImage,
  isBg: Uint8Array,
  bg: [number, number, number],
  tol: number,
): { mask: BinaryMask; size: number; total: number } {
  const { width: w, height: h } = img;
  const fg = new Uint8Array(w * h);
  for (let i = 0; i < fg.length; i++) fg[i] = isBg[i] ? 0 : 1;
  const { mask, size, total } = largestComponent(open({ data: fg, width: w, height: h }, 1.5));
  const filled = fillHoles(mask);
  const holes = new Uint8Array(w * h);
  for (let i = 0; i < holes.length; i++) holes[i] = filled.data[i]! & (mask.data[i]! ^ 1);
  const holeComps = components({ data: holes, width: w, height: h });
  const holeBgShare = new Float64Array(holeComps.sizes.length);
  for (let i = 0; i < holes.length; i++) {
    const l = holeComps.labels[i]!;
    if (l > 0 && distToBg(img, bg, i) <= tol) holeBgShare[l]! += 1;
  }
  for (let i = 0; i < holes.length; i++) {
    const l = holeComps.labels[i]!;
    if (l === 0) continue;
    const sz = holeComps.sizes[l]!;
    const isRealHole = sz > w * h * MIN_HOLE_SHARE && holeBgShare[l]! / sz > HOLE_BG_SHARE;
    if (!isRealHole) filled.data[i] = 1;
    else filled.data[i] = 0;
  }
  return { mask: filled, size, total };
}

/**
 * Cuts the garment out of a flat-lay photo. Throws GARMENT_NOT_DETECTED when the background is not plain, when the
 * garment is not one clean shape (white garment on a white background: the fill leaks into it), or when nothing
 * stands out from the background.
 */
export function cutOutFlatLay(img: RawImage, options: CutoutOptions = {}): CutoutResult {
  const minArea = options.minAreaShare ?? 0.15;
  const minLargest = options.minLargestShare ?? 0.9;
  const { width: w, height: h } = img;
  const { background: bg, uniform, noise } = options.border ?? borderUniformity(img);
  if (uniform < 0.8) {
    throw new EngineError(
      'GARMENT_NOT_DETECTED',
      `The product photo has no plain background to cut the garment from (${Math.round(uniform * 100)} % of the border is uniform).`,
    );
  }
  // Tight tolerance: a few levels above the border's own noise. 8..18 levels; loose fills leak into pale garments.
  const tol = Math.min(18, Math.max(8, Math.round(2 * noise + 6)));
  // Barrier: a step clearly above the background noise. Garment outlines, even white-on-white ones, have a 1–3 px
  // edge where the step exceeds this even when the garment colour itself is within the colour tolerance.
  const barrier = Math.max(4, Math.round(noise + 3));
  const { isBg, viaShadow } = fillBackground(img, bg, tol, barrier, noise);
  giveBackThickShadows(isBg, viaShadow, w, h);
  const { mask, size, total } = garmentShape(img, isBg, bg, tol);
  const area = countMask(mask);
  const areaShare = area / (w * h);
  const largestShare = total > 0 ? size / total : 0;
  if (areaShare < minArea || largestShare < minLargest) {
    throw new EngineError(
      'GARMENT_NOT_DETECTED',
      `The garment could not be separated from its background (garment covers ${(areaShare * 100).toFixed(1)} % of the frame, ` +
        `largest shape ${(largestShare * 100).toFixed(0)} % of the foreground); a pale garment on a pale background ` +
        'needs a photo on a contrasting background.',
    );
  }
  return { mask, background: bg, areaShare, largestShare };
}
