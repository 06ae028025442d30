/**
 * Cut-out of flat-lay product photos: a flood fill of the background from the frame border.
 *
 * Why a flood fill and not a threshold: garments are often close to the background colour in places (white knits,
 * grey sweaters) and a global colour threshold either eats those or keeps the shadow. Growing the background from the
 * border with a TIGHT colour tolerance, stopped by a barrier at the garment's outline, keeps the garment interior out
 * of reach even when some of its pixels equal the background colour.
 *
 * The stages:
 * - a background model: a smooth surface through the four sides of the frame (gradients, vignetting, a padded strip
 *   of another shade), and the border's own noise (neighbour to neighbour), which sets the tolerance: on the flat 246
 *   grey of a VITON-HD-style studio photo a white tee 2–6 levels away is told apart; a noisy photographed sweep gets
 *   more;
 * - the fill walks only through pixels whose whole 3×3 neighbourhood looks like background, so a 1–2 px gap in a
 *   faint outline or a white fabric's speckle of background-coloured pixels does not let it in; beside a contrasted
 *   edge the tolerance grows with the edge's strength (JPEG ringing and resampling overshoot are background);
 * - the model is re-estimated once from what the fill found, so light falling off towards the garment is followed;
 * - soft drop shadows are absorbed by a second rule: neutral darkening that changes slowly from pixel to pixel. What
 *   that rule adds is kept as shadow only when it is a thin band with as much border against the background as
 *   against the garment; a walk into a pale garment through a weak stretch of its outline is neither;
 * - on request (`byTexture`), for a pale garment on a digitally flat backdrop, neither rule walks through texture:
 *   see {@link textureBarrier}.
 */

import { EngineError } from '../engine.js';
import { localStdDev } from '../raster/blur.js';
import { lumaPlane, median } from '../raster/colour.js';
import { type Components, components, fillHoles, largestComponent } from '../raster/components.js';
import { distanceToSet } from '../raster/distance.js';
import { type BinaryMask, countMask } from '../raster/mask.js';
import { open, squareMorph } from '../raster/morphology.js';
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
  /**
   * Stop the fill at textured pixels too (see {@link textureBarrier}): for a garment whose edge has the backdrop's
   * colour. Throws GARMENT_NOT_DETECTED when the backdrop itself has texture.
   */
  byTexture?: boolean;
}

/** Width of the border ring sampled for the background estimate. */
const RING = 4;

export interface BorderStats {
  background: [number, number, number];
  /** Share of the ring within a few levels of its own side's median colour. */
  uniform: number;
  /** The ring's spread about the median colour (75th percentile of the largest channel difference). */
  noise: number;
}

type Rgb = [number, number, number];

/** Largest channel difference between the pixel at byte offset `p` of `data` and `ref` at offset `q`. */
function dist3(data: ArrayLike<number>, p: number, ref: ArrayLike<number>, q = 0): number {
  return Math.max(
    Math.abs(data[p]! - ref[q]!),
    Math.abs(data[p + 1]! - ref[q + 1]!),
    Math.abs(data[p + 2]! - ref[q + 2]!),
  );
}

/** Byte offsets of the ring's pixels, side by side: top, bottom, then the left and right columns between them. */
function ringSides(img: RawImage): number[][] {
  const { width: w, height: h, channels: ch } = img;
  const sides: number[][] = [[], [], [], []];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (x >= RING && x < w - RING && y >= RING && y < h - RING) {
        x = w - RING - 1;
        continue;
      }
      const side = y < RING ? 0 : y >= h - RING ? 1 : x < RING ? 2 : 3;
      sides[side]!.push((y * w + x) * ch);
    }
  }
  return sides;
}

/**
 * Is the frame border a plain studio background? The share of ring pixels within a few levels of the median colour
 * of their own side of the frame: a flat-lay on a sweep scores > 0.9 (also when one side is a padded strip of another
 * shade), an on-model street photo far less.
 */
export function borderUniformity(img: RawImage): BorderStats {
  const { data } = img;
  const sides = ringSides(img);
  const ring = sides.flat();
  const medianOf = (offsets: number[]): Rgb => [0, 1, 2].map((c) => median(offsets.map((p) => data[p + c]!))) as Rgb;
  const bg = medianOf(ring);
  const dists = ring.map((p) => dist3(data, p, bg));
  // Noise: the 75th percentile of the distance to the median among pixels that are plausibly background.
  const near = dists.filter((d) => d <= 24).sort((a, b) => a - b);
  const noise = near.length > 0 ? near[Math.floor(near.length * 0.75)]! : 24;
  const within = Math.max(6, 2 * noise + 4);
  let uniform = 0;
  for (const side of sides) {
    if (side.length === 0) continue;
    const m = medianOf(side);
    for (const p of side) if (dist3(data, p, m) <= within) uniform++;
  }
  return { background: bg, uniform: uniform / ring.length, noise };
}

// ---------------------------------------------------------------------------------------------------------------
// The background model

/** Expected background colour per pixel (RGB bytes), and the border's noise. */
interface BackgroundModel {
  colour: Uint8Array;
  noise: number;
}

/** Along each side (top, bottom, left, right), the per-channel median across the ring's depth. */
function sideProfiles(img: RawImage): Float32Array[] {
  const { width: w, height: h, channels: ch, data } = img;
  const depth = Math.max(1, Math.min(RING, Math.floor(Math.min(w, h) / 4)));
  const profile = (len: number, at: (i: number, k: number) => number) => {
    const out = new Float32Array(len * 3);
    const v: number[] = [];
    for (let i = 0; i < len; i++) {
      for (let c = 0; c < 3; c++) {
        v.length = 0;
        for (let k = 0; k < depth; k++) v.push(data[at(i, k) * ch + c]!);
        out[i * 3 + c] = median(v);
      }
    }
    return out;
  };
  return [
    profile(w, (i, k) => k * w + i),
    profile(w, (i, k) => (h - 1 - k) * w + i),
    profile(h, (i, k) => i * w + k),
    profile(h, (i, k) => i * w + w - 1 - k),
  ];
}

/** A profile point this far from its side's median colour is something else (a garment touching the frame). */
const PROFILE_FAR = 32;

/**
 * One side's profile made robust: points far from the side's median bridged linearly from their neighbours, then a
 * running median of 5 (a strip a few pixels thick, padded along one side, stays a step).
 */
function smoothProfile(p: Float32Array): Float32Array {
  const len = p.length / 3;
  const med = [0, 1, 2].map((c) => median(Array.from({ length: len }, (_, i) => p[i * 3 + c]!)));
  const q = new Float32Array(p);
  let prev = -1;
  for (let i = 0; i <= len; i++) {
    if (i < len && dist3(p, i * 3, med) > PROFILE_FAR) continue;
    for (let j = prev + 1; j < i; j++) {
      for (let c = 0; c < 3; c++) {
        const a = prev >= 0 ? p[prev * 3 + c]! : i < len ? p[i * 3 + c]! : med[c]!;
        const b = i < len ? p[i * 3 + c]! : a;
        q[j * 3 + c] = prev >= 0 && i < len ? a + ((b - a) * (j - prev)) / (i - prev) : a;
      }
    }
    prev = i;
  }
  const r = 2;
  const out = new Float32Array(len * 3);
  const v: number[] = [];
  for (let i = 0; i < len; i++) {
    for (let c = 0; c < 3; c++) {
      v.length = 0;
      for (let j = Math.max(0, i - r); j <= Math.min(len - 1, i + r); j++) v.push(q[j * 3 + c]!);
      out[i * 3 + c] = median(v);
    }
  }
  return out;
}

/**
 * A Coons patch through the four smoothed sides: exact on the border, and exact inside for any sum of a horizontal
 * and a vertical profile (linear gradients, the usual vignetting, a strip along one side).
 */
function coonsPatch(w: number, h: number, [T, B, L, R]: Float32Array[]): Uint8Array {
  const colour = new Uint8Array(w * h * 3);
  const du = w > 1 ? 1 / (w - 1) : 0;
  for (let c = 0; c < 3; c++) {
    const tl = (T![c]! + L![c]!) / 2;
    const tr = (T![(w - 1) * 3 + c]! + R![c]!) / 2;
    const bl = (B![c]! + L![(h - 1) * 3 + c]!) / 2;
    const br = (B![(w - 1) * 3 + c]! + R![(h - 1) * 3 + c]!) / 2;
    for (let y = 0; y < h; y++) {
      const v = h > 1 ? y / (h - 1) : 0;
      const l = L![y * 3 + c]!;
      // Along the row the side and corner terms are linear in u: a + b·u.
      const a = l - (1 - v) * tl - v * bl;
      const b = R![y * 3 + c]! - l - (1 - v) * (tr - tl) - v * (br - bl);
      for (let x = 0; x < w; x++) {
        const s = (1 - v) * T![x * 3 + c]! + v * B![x * 3 + c]! + a + b * x * du;
        colour[(y * w + x) * 3 + c] = s < 0 ? 0 : s > 255 ? 255 : Math.round(s);
      }
    }
  }
  return colour;
}

/**
 * The background model from the border, and its noise: the 90th percentile of the difference between neighbours along
 * the ring (largest channel), which a strip's or a garment's edge touching the frame hardly moves.
 */
function backgroundModel(img: RawImage): BackgroundModel {
  const { width: w, height: h, channels: ch, data } = img;
  const colour = coonsPatch(w, h, sideProfiles(img).map(smoothProfile));
  const steps: number[] = [];
  const step = (p: number, q: number) => {
    const d = dist3(data, p * ch, data, q * ch);
    if (d <= 24) steps.push(d);
  };
  for (let k = 0; k < Math.min(RING, w, h); k++) {
    for (let x = 0; x + 1 < w; x++) {
      step(k * w + x, k * w + x + 1);
      step((h - 1 - k) * w + x, (h - 1 - k) * w + x + 1);
    }
    for (let y = 0; y + 1 < h; y++) {
      step(y * w + k, (y + 1) * w + k);
      step(y * w + w - 1 - k, (y + 1) * w + w - 1 - k);
    }
  }
  steps.sort((a, b) => a - b);
  return { colour, noise: steps.length > 0 ? steps[Math.floor(steps.length * 0.9)]! : 24 };
}

/**
 * The background as the fill found it, averaged on a grid of cells (cells it covered at least 90 %), carried into the
 * cells it did not reach by repeated averaging of their neighbours, and interpolated bilinearly: the light falling
 * off towards the garment, which the border cannot show.
 */
function refineModel(img: RawImage, found: Uint8Array, previous: Uint8Array): Uint8Array | null {
  const { width: w, height: h, channels: ch, data } = img;
  const cell = 8;
  const gw = Math.ceil(w / cell);
  const gh = Math.ceil(h / cell);
  const sum = new Float64Array(gw * gh * 3);
  const count = new Float64Array(gw * gh);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (!found[p]) continue;
      const g = ((y / cell) | 0) * gw + ((x / cell) | 0);
      count[g]!++;
      for (let c = 0; c < 3; c++) sum[g * 3 + c]! += data[p * ch + c]!;
    }
  }
  const val = new Float32Array(gw * gh * 3);
  const done = new Uint8Array(gw * gh);
  for (let g = 0; g < gw * gh; g++) {
    if (count[g]! < cell * cell * 0.9) continue;
    done[g] = 1;
    for (let c = 0; c < 3; c++) val[g * 3 + c] = sum[g * 3 + c]! / count[g]!;
  }
  if (!done.includes(1)) return null;
  for (let added = [0]; added.length > 0; ) {
    added = [];
    for (let g = 0; g < gw * gh; g++) {
      if (done[g]) continue;
      const gx = g % gw;
      const gy = (g / gw) | 0;
      let k = 0;
      const acc = [0, 0, 0];
      for (let yy = Math.max(0, gy - 1); yy <= Math.min(gh - 1, gy + 1); yy++) {
        for (let xx = Math.max(0, gx - 1); xx <= Math.min(gw - 1, gx + 1); xx++) {
          const q = yy * gw + xx;
          if (!done[q]) continue;
          k++;
          for (let c = 0; c < 3; c++) acc[c]! += val[q * 3 + c]!;
        }
      }
      if (k === 0) continue;
      for (let c = 0; c < 3; c++) val[g * 3 + c] = acc[c]! / k;
      added.push(g);
    }
    for (const g of added) done[g] = 1;
  }
  // Nothing to follow (a flat sweep, a clipped white): the border's model stands, and the fill need not run again.
  let change = 0;
  for (let g = 0; g < gw * gh; g++) {
    const cy = Math.min(h - 1, ((g / gw) | 0) * cell + (cell >> 1));
    const cx = Math.min(w - 1, (g % gw) * cell + (cell >> 1));
    change = Math.max(change, dist3(val, g * 3, previous, (cy * w + cx) * 3));
  }
  if (change <= 1) return null;
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    const fy = Math.min(gh - 1, Math.max(0, (y + 0.5) / cell - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(gh - 1, y0 + 1);
    for (let x = 0; x < w; x++) {
      const fx = Math.min(gw - 1, Math.max(0, (x + 0.5) / cell - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(gw - 1, x0 + 1);
      for (let c = 0; c < 3; c++) {
        const top = val[(y0 * gw + x0) * 3 + c]! * (1 - fx + x0) + val[(y0 * gw + x1) * 3 + c]! * (fx - x0);
        const bottom = val[(y1 * gw + x0) * 3 + c]! * (1 - fx + x0) + val[(y1 * gw + x1) * 3 + c]! * (fx - x0);
        out[(y * w + x) * 3 + c] = Math.round(top * (1 - fy + y0) + bottom * (fy - y0));
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The fill

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

/** Running maximum over windows of 2r+1 along a line of `n` values (van Herk / Gil-Werman: 3 comparisons a value). */
function maxLine(
  src: Uint8Array,
  dst: Uint8Array,
  start: number,
  step: number,
  n: number,
  r: number,
  g: Uint8Array,
  hh: Uint8Array,
): void {
  const k = 2 * r + 1;
  // g: running max from each block's start; hh: running max to each block's end.
  for (let b = 0; b < n; b += k) {
    const e = Math.min(n, b + k) - 1;
    let m = 0;
    for (let i = b; i <= e; i++) {
      const v = src[start + i * step]!;
      if (v > m) m = v;
      g[i] = m;
    }
    m = 0;
    for (let i = e; i >= b; i--) {
      const v = src[start + i * step]!;
      if (v > m) m = v;
      hh[i] = m;
    }
  }
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i - r);
    const z = Math.min(n - 1, i + r);
    // [a, z] is at most k long: within one block (from its start, or to the line's end), or across two neighbours.
    if (((a / k) | 0) !== ((z / k) | 0)) dst[start + i * step] = Math.max(hh[a]!, g[z]!);
    else dst[start + i * step] = a % k === 0 ? g[z]! : hh[a]!;
  }
}

/** The largest value in the (2r+1)² square around each pixel (separable). */
function maxFilter(src: Uint8Array, w: number, h: number, r: number): Uint8Array {
  const rows = new Uint8Array(w * h);
  const out = new Uint8Array(w * h);
  const g = new Uint8Array(Math.max(w, h));
  const hh = new Uint8Array(Math.max(w, h));
  for (let y = 0; y < h; y++) maxLine(src, rows, y * w, 1, w, r, g, hh);
  for (let x = 0; x < w; x++) maxLine(rows, out, x, w, h, r, g, hh);
  return out;
}

/** JPEG ringing and resampling overshoot reach about this far from a contrasted edge... */
const RINGING_REACH = 6;
/** ...and are at most about this share of its step size (tolerance and barrier grow by it, up to RINGING_MAX). */
const RINGING_SHARE = 0.08;
const RINGING_MAX = 16;

/**
 * A digitally flat backdrop (a product photo's sweep replaced by one exact grey, as VITON-HD's and most shops' are)
 * has no texture at all: its 5×5 luma standard deviation is 0, and JPEG keeps it so, 8×8 block by block. Fabric,
 * even a plain white knit, has some (weave, JPEG speckle: 0.5–2 levels), and a garment's outline has more. So on
 * such a backdrop texture finds the edge of a white tee on a 246 grey sweep where colour cannot: the fabric just
 * inside is 243–251, within the fill's tolerance, and the fill walked through it in bites 10–20 px deep.
 *
 * Not the default, because drop shadows are textured too (JPEG noise over the ramp): with this barrier the fill
 * stops at a shadow and keeps it as garment. flat-lay.ts cuts both ways and keeps this cut only where what it adds
 * over the colour cut has the backdrop's colour (bites of pale fabric, not a shadow).
 */
const TEXTURE_WINDOW = 2;
/** The backdrop counts as flat when 95 % of the border ring's windows are at most this textured (luma levels)... */
const FLAT_BACKDROP_STD = 0.25;
/** ...and a pixel is textured above this. */
const TEXTURED_STD = 0.5;

/** Per pixel, 1 where the fill must stop on texture; null when the backdrop is not flat (texture tells nothing). */
export function textureBarrier(img: RawImage): Uint8Array | null {
  const { width: w, height: h, channels: ch } = img;
  const sd = localStdDev(lumaPlane(img), w, h, TEXTURE_WINDOW);
  const ring = ringSides(img)
    .flat()
    .map((o) => sd[o / ch]!)
    .sort((a, b) => a - b);
  if (ring[Math.floor(ring.length * 0.95)]! > FLAT_BACKDROP_STD) return null;
  return Uint8Array.from(sd, (v) => (v > TEXTURED_STD ? 1 : 0));
}

/** Textured, and not within reach of a contrasted edge, whose JPEG ringing is background (the ringing allowance). */
const isTextured = (f: FillParams, p: number) => !!f.textured?.[p] && f.ringing[p] === 0;

interface FillParams {
  grad: Uint8Array;
  /** Per pixel, the allowance for ringing: RINGING_SHARE of the strongest step within RINGING_REACH, whole levels. */
  ringing: Uint8Array;
  /** With `byTexture`: 1 where the pixel is textured, and neither rule walks through it (away from ringing). */
  textured?: Uint8Array;
  tol: number;
  barrier: number;
}

/**
 * Pass 1: the flood fill from the border through pixels whose 3×3 neighbourhood is all background-like (the model's
 * colour within the tolerance, no step above the barrier), then one ring of background-like pixels beside it.
 * `core`: what it reached with the plain tolerance, without the ringing allowance or that last ring.
 */
function fillClean(
  img: RawImage,
  bgc: Uint8Array,
  f: FillParams,
): { isBg: Uint8Array; like: Uint8Array; core: Uint8Array } {
  const { width: w, height: h, channels: ch, data } = img;
  const n = w * h;
  const like = new Uint8Array(n);
  const plain = new Uint8Array(n);
  for (let p = 0; p < n; p++) {
    const d = dist3(data, p * ch, bgc, p * 3);
    const g = f.grad[p]!;
    const e = f.ringing[p]!;
    like[p] = d <= f.tol + e && g <= f.barrier + e && !isTextured(f, p) ? 1 : 0;
    plain[p] = d <= f.tol && g <= f.barrier ? 1 : 0;
  }
  const clean = squareMorph({ data: like, width: w, height: h }, 1, 'erode').data;
  const isBg = new Uint8Array(n);
  const queue = new Int32Array(n);
  let qt = 0;
  const join = (p: number) => {
    if (clean[p] && !isBg[p]) {
      isBg[p] = 1;
      queue[qt++] = p;
    }
  };
  for (let x = 0; x < w; x++) {
    join(x);
    join((h - 1) * w + x);
  }
  for (let y = 0; y < h; y++) {
    join(y * w);
    join(y * w + w - 1);
  }
  for (let qh = 0; qh < qt; qh++) {
    const p = queue[qh]!;
    const x = p % w;
    if (x > 0) join(p - 1);
    if (x < w - 1) join(p + 1);
    if (p >= w) join(p - w);
    if (p < n - w) join(p + w);
  }
  const core = new Uint8Array(n);
  for (let p = 0; p < n; p++) core[p] = isBg[p]! & plain[p]!;
  const rim = squareMorph({ data: isBg, width: w, height: h }, 1, 'dilate').data;
  for (let p = 0; p < n; p++) if (rim[p] && like[p]) isBg[p] = 1;
  return { isBg, like, core };
}

/** A soft shadow is at most this much darker than the background. */
const SHADOW_MAX_DROP = 0.35;
/** The shadow rule's step limits: between neighbours (levels above the noise), and the barrier (half a step). */
const SHADOW_STEP = 6;
const SHADOW_BARRIER = 10;

/**
 * Pass 2, from all of pass 1: background-like pixels, and the shadow rule: a neutral darkening of the background (all
 * channels drop by about the same amount), at most ~35 % darker, that differs from the background pixel it was
 * reached from by only a few levels: a shadow ramps, a garment edge steps. Returns what this pass added.
 */
function fillShadows(
  img: RawImage,
  model: BackgroundModel,
  isBg: Uint8Array,
  like: Uint8Array,
  f: FillParams,
): Uint8Array {
  const { width: w, height: h, channels: ch, data } = img;
  const n = w * h;
  const bgc = model.colour;
  const noise = model.noise;
  const viaShadow = new Uint8Array(n);
  const queue = new Int32Array(n);
  let qt = 0;
  const isShadow = (p: number, from: number) => {
    const o = p * ch;
    const dr = bgc[p * 3]! - data[o]!;
    const dg = bgc[p * 3 + 1]! - data[o + 1]!;
    const db = bgc[p * 3 + 2]! - data[o + 2]!;
    const bgLum = 0.299 * bgc[p * 3]! + 0.587 * bgc[p * 3 + 1]! + 0.114 * bgc[p * 3 + 2]!;
    const drop = 0.299 * dr + 0.587 * dg + 0.114 * db;
    if (drop <= 0 || drop > bgLum * SHADOW_MAX_DROP) return false;
    const mean = (dr + dg + db) / 3;
    if (Math.max(Math.abs(dr - mean), Math.abs(dg - mean), Math.abs(db - mean)) > 4 + noise) return false;
    if (dist3(data, o, data, from * ch) > SHADOW_STEP + noise || isTextured(f, p)) return false;
    return f.grad[p]! <= Math.max(f.barrier, SHADOW_BARRIER);
  };
  const tryJoin = (p: number, from: number) => {
    if (isBg[p] || !(like[p] || isShadow(p, from))) return;
    isBg[p] = 1;
    viaShadow[p] = 1;
    queue[qt++] = p;
  };
  for (let p = 0; p < n; p++) if (isBg[p]) queue[qt++] = p;
  for (let qh = 0; qh < qt; qh++) {
    const p = queue[qh]!;
    const x = p % w;
    if (x > 0) tryJoin(p - 1, p);
    if (x < w - 1) tryJoin(p + 1, p);
    if (p >= w) tryJoin(p - w, p);
    if (p < n - w) tryJoin(p + w, p);
  }
  return viaShadow;
}

/** A drop shadow is at most ~2 % of the frame's longer side in half-thickness (≈ 16 px at 768 px). */
const SHADOW_MAX_HALF_THICKNESS = 0.022;
/** A drop shadow borders the background along at least this share of its border with the garment. */
const SHADOW_MIN_CONTACT = 0.4;

/**
 * Everything the shadow pass added is checked, component by component. A drop shadow is a band hugging the outline:
 * thin (thickness = twice the largest distance from a component pixel to the nearest non-component pixel), and
 * bordering the background about as much as the garment. A white knit that the shadow rule walks into is thick; a
 * walk into a pale garment through a weak stretch of its outline borders the background only there, and the garment
 * (and its own speckle) everywhere else. Both are given back to the garment.
 */
function giveBackFalseShadows(isBg: Uint8Array, pass1: Uint8Array, viaShadow: Uint8Array, w: number, h: number): void {
  const added = components({ data: viaShadow, width: w, height: h });
  const k = added.sizes.length;
  if (k <= 1) return;
  const thick = thickComponents(added, w, h, SHADOW_MAX_HALF_THICKNESS * Math.max(w, h));
  const onBackground = new Float64Array(k);
  const onGarment = new Float64Array(k);
  let bg = 0;
  let fg = 0;
  const look = (q: number) => {
    if (pass1[q]) bg = 1;
    else if (!isBg[q]) fg = 1;
  };
  for (let i = 0; i < w * h; i++) {
    const l = added.labels[i]!;
    if (l === 0) continue;
    const x = i % w;
    bg = 0;
    fg = 0;
    if (x > 0) look(i - 1);
    if (x < w - 1) look(i + 1);
    if (i >= w) look(i - w);
    if (i < w * (h - 1)) look(i + w);
    onBackground[l]! += bg;
    onGarment[l]! += fg;
  }
  for (let i = 0; i < w * h; i++) {
    const l = added.labels[i]!;
    if (l > 0 && (thick[l] || onBackground[l]! < SHADOW_MIN_CONTACT * onGarment[l]!)) {
      isBg[i] = 0;
      viaShadow[i] = 0;
    }
  }
}

/**
 * The components that hold a disk of radius > r (1 per label). Only those with more pixels than the disk are
 * measured, by the distance transform of the window around them grown by r + 1 (within r of a pixel the window holds
 * everything the whole frame would).
 */
function thickComponents(comps: Components, w: number, h: number, r: number): Uint8Array {
  const thick = new Uint8Array(comps.sizes.length);
  const big = comps.sizes.map((size) => size > Math.PI * r * r);
  let [x0, y0, x1, y1] = [w, h, -1, -1];
  for (let i = 0; i < w * h; i++) {
    if (!big[comps.labels[i]!]) continue;
    const x = i % w;
    const y = (i / w) | 0;
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  if (x1 < 0) return thick;
  const pad = Math.ceil(r) + 1;
  [x0, y0, x1, y1] = [
    Math.max(0, x0 - pad),
    Math.max(0, y0 - pad),
    Math.min(w - 1, x1 + pad),
    Math.min(h - 1, y1 + pad),
  ];
  const cw = x1 - x0 + 1;
  const chh = y1 - y0 + 1;
  const outside = new Uint8Array(cw * chh);
  for (let y = 0; y < chh; y++) {
    for (let x = 0; x < cw; x++) outside[y * cw + x] = comps.labels[(y + y0) * w + x + x0] === 0 ? 1 : 0;
  }
  const d2 = distanceToSet({ data: outside, width: cw, height: chh });
  for (let y = 0; y < chh; y++) {
    for (let x = 0; x < cw; x++) {
      const l = comps.labels[(y + y0) * w + x + x0]!;
      if (big[l] && d2[y * cw + x]! > r * r) thick[l] = 1;
    }
  }
  return thick;
}

/**
 * The background: pass 1 with the border's model, again with the model re-estimated from what it found, then the
 * shadow pass and its check.
 */
function fillBackground(
  img: RawImage,
  model: BackgroundModel,
  tol: number,
  barrier: number,
  textured: Uint8Array | null,
): { isBg: Uint8Array; colour: Uint8Array } {
  const { width: w, height: h } = img;
  const grad = stepSizes(img);
  const ringing = maxFilter(grad, w, h, RINGING_REACH).map((m) => Math.floor(Math.min(RINGING_MAX, RINGING_SHARE * m)));
  const f: FillParams = { grad, ringing, tol, barrier, ...(textured ? { textured } : {}) };
  const first = fillClean(img, model.colour, f);
  const colour = refineModel(img, first.core, model.colour);
  const refined = colour ? { ...model, colour } : model;
  const { isBg, like } = colour ? fillClean(img, colour, f) : first;
  const pass1 = isBg.slice();
  const viaShadow = fillShadows(img, refined, isBg, like, f);
  giveBackFalseShadows(isBg, pass1, viaShadow, w, h);
  return { isBg, colour: refined.colour };
}

// ---------------------------------------------------------------------------------------------------------------
// The garment

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
  bgc: Uint8Array,
  tol: number,
): { mask: BinaryMask; size: number; total: number } {
  const { width: w, height: h, channels: ch, data } = img;
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
    if (l > 0 && dist3(data, i * ch, bgc, i * 3) <= tol) holeBgShare[l]! += 1;
  }
  for (let i = 0; i < holes.length; i++) {
    const l = holeComps.labels[i]!;
    if (l === 0) continue;
    const sz = holeComps.sizes[l]!;
    const isRealHole = sz > w * h * MIN_HOLE_SHARE && holeBgShare[l]! / sz > HOLE_BG_SHARE;
    filled.data[i] = isRealHole ? 0 : 1;
  }
  return { mask: filled, size, total };
}

/**
 * Cuts the garment out of a flat-lay photo. Throws GARMENT_NOT_DETECTED when the background is not plain, when the
 * garment is not one clean shape (the fill leaks into it), or when nothing stands out from the background.
 */
export function cutOutFlatLay(img: RawImage, options: CutoutOptions = {}): CutoutResult {
  const minArea = options.minAreaShare ?? 0.15;
  const minLargest = options.minLargestShare ?? 0.9;
  const { width: w, height: h } = img;
  const { background: bg, uniform } = options.border ?? borderUniformity(img);
  if (uniform < 0.8) {
    throw new EngineError(
      'GARMENT_NOT_DETECTED',
      `The product photo has no plain background to cut the garment from (${Math.round(uniform * 100)} % of the border is uniform).`,
    );
  }
  const textured = options.byTexture ? textureBarrier(img) : null;
  if (options.byTexture && !textured) {
    throw new EngineError('GARMENT_NOT_DETECTED', 'The product photo has no flat background to cut the garment from.');
  }
  const model = backgroundModel(img);
  // Tolerance and barrier from the border's noise: 2 levels on a flat synthetic sweep (a white tee is 2–6 levels off
  // it), up to 18 on a noisy photographed one.
  const tol = Math.min(18, Math.max(2, Math.round(2 * model.noise + 2)));
  const barrier = Math.max(2, Math.round(model.noise + 2));
  const { isBg, colour } = fillBackground(img, model, tol, barrier, textured);
  const { mask, size, total } = garmentShape(img, isBg, colour, tol);
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
