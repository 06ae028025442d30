/**
 * Binary masks on typed arrays: the mask type every stage passes around, its bounds, counts and set operations.
 */
import type { Mask } from '../vision/types.js';

/** A binary mask: 1 = inside, 0 = outside. Same layout as {@link Mask} but with values 0/1. */
export interface BinaryMask {
  data: Uint8Array;
  width: number;
  height: number;
}

export function emptyMask(width: number, height: number): BinaryMask {
  return { data: new Uint8Array(width * height), width, height };
}

/** A rectangle [x0, y0, x1, y1), the ends exclusive. */
export type Rect = readonly [number, number, number, number];

/** A mask set on the given rectangles (the garment shapes the tests draw). */
export function maskOfRects(width: number, height: number, rects: readonly Rect[]): BinaryMask {
  const mask = emptyMask(width, height);
  for (const [x0, y0, x1, y1] of rects) {
    for (let y = y0; y < y1; y++) mask.data.fill(1, y * width + x0, y * width + x1);
  }
  return mask;
}

export function countMask(m: BinaryMask | Mask, threshold = 1): number {
  let n = 0;
  for (let i = 0; i < m.data.length; i++) if (m.data[i]! >= threshold) n++;
  return n;
}

/** Share of `of`'s set pixels that are also set in `m` (0 when `of` is empty). */
export function shareOf(m: BinaryMask, of: BinaryMask): number {
  let n = 0;
  let inM = 0;
  for (let p = 0; p < of.data.length; p++) {
    if (!of.data[p]) continue;
    n++;
    inM += m.data[p]!;
  }
  return n > 0 ? inM / n : 0;
}

/** Binarises a soft mask at `threshold` (inclusive). */
export function binarize(m: Mask, threshold = 128): BinaryMask {
  const md = m.data;
  const out = new Uint8Array(md.length);
  for (let i = 0; i < out.length; i++) out[i] = md[i]! >= threshold ? 1 : 0;
  return { data: out, width: m.width, height: m.height };
}

/** A window in pixels: x0, y0, x1, y1, all inclusive. */
export type Box = [number, number, number, number];

/**
 * Bounding box of the set pixels, grown by `pad` and clamped to the frame; null when nothing is set. Morphology and
 * blurs of sparse masks only need to touch this window.
 */
export function maskBounds(m: BinaryMask, pad = 0): Box | null {
  const { width: w, height: h, data } = m;
  let x0 = w;
  let x1 = -1;
  let y0 = h;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let a = -1;
    for (let x = 0; x < w; x++) {
      if (data[row + x]) {
        a = x;
        break;
      }
    }
    if (a < 0) continue;
    let b = a;
    for (let x = w - 1; x > a; x--) {
      if (data[row + x]) {
        b = x;
        break;
      }
    }
    if (a < x0) x0 = a;
    if (b > x1) x1 = b;
    if (y < y0) y0 = y;
    y1 = y;
  }
  if (x1 < 0) return null;
  return [Math.max(0, x0 - pad), Math.max(0, y0 - pad), Math.min(w - 1, x1 + pad), Math.min(h - 1, y1 + pad)];
}

export function invert(m: BinaryMask): BinaryMask {
  const md = m.data;
  const out = new Uint8Array(md.length);
  for (let i = 0; i < out.length; i++) out[i] = md[i]! ^ 1;
  return { data: out, width: m.width, height: m.height };
}

export function and(a: BinaryMask, b: BinaryMask): BinaryMask {
  const ad = a.data;
  const bd = b.data;
  const out = new Uint8Array(ad.length);
  for (let i = 0; i < out.length; i++) out[i] = ad[i]! & bd[i]!;
  return { data: out, width: a.width, height: a.height };
}

export function or(a: BinaryMask, b: BinaryMask): BinaryMask {
  const ad = a.data;
  const bd = b.data;
  const out = new Uint8Array(ad.length);
  for (let i = 0; i < out.length; i++) out[i] = ad[i]! | bd[i]!;
  return { data: out, width: a.width, height: a.height };
}

export function andNot(a: BinaryMask, b: BinaryMask): BinaryMask {
  const ad = a.data;
  const bd = b.data;
  const out = new Uint8Array(ad.length);
  for (let i = 0; i < out.length; i++) out[i] = ad[i]! & (bd[i]! ^ 1);
  return { data: out, width: a.width, height: a.height };
}
