/** Region growing by colour: the flood fill that finds the garments a person wears. */
import { type LabPlanes, upperMedian } from '../raster/colour.js';
import { type BinaryMask, emptyMask, maskBounds } from '../raster/mask.js';

/** A pixel far from the model but within this factor of the tolerance may still join through its neighbour. */
const LOOSE_FACTOR = 1.6;
/** Squared ΔE76 to an accepted neighbour that lets such a pixel join (4 units: a fold's gradual shading). */
const NEIGHBOUR_STEP2 = 16;
/** Lightness counts half against the model: shading changes L*, not the garment's colour. */
const LIGHTNESS_WEIGHT = 0.5;

/**
 * Grows a region from `seed` within `allowed` (4-connected). Colour model: median Lab of the seed's pixels. Growth
 * accepts pixels within `tolerance` ΔE76 of the model (lightness at half weight: shading) OR within a tighter
 * distance of their already-accepted neighbour (follows shading across folds). Squared distances throughout: no
 * square roots in the inner loop.
 */
export function growByColour(lab: LabPlanes, seed: BinaryMask, allowed: BinaryMask, tolerance: number): BinaryMask {
  const { width: w, height: h } = seed;
  const { L: labL, A: labA, B: labB } = lab;
  const ls: number[] = [];
  const as: number[] = [];
  const bs: number[] = [];
  const [sx0, sy0, sx1, sy1] = maskBounds(seed) ?? [0, 0, -1, -1];
  const sFirst = sy0 * w + sx0;
  const sLast = sy1 * w + sx1;
  for (let p = sFirst; p <= sLast; p++) {
    if (!seed.data[p]) continue;
    ls.push(labL[p]!);
    as.push(labA[p]!);
    bs.push(labB[p]!);
  }
  const m0 = upperMedian(ls);
  const m1 = upperMedian(as);
  const m2 = upperMedian(bs);
  const tol2 = tolerance * tolerance;
  const loose2 = (tolerance * LOOSE_FACTOR) ** 2;
  const out = emptyMask(w, h);
  const od = out.data;
  const al = allowed.data;
  const stack = new Int32Array(w * h);
  let sp = 0;
  for (let p = sFirst; p <= sLast; p++) {
    if (!seed.data[p] || !al[p]) continue;
    const dl = labL[p]! - m0;
    const da = labA[p]! - m1;
    const db = labB[p]! - m2;
    if (dl * dl + da * da + db * db <= tol2) {
      od[p] = 1;
      stack[sp++] = p;
    }
  }
  const visit = (q: number, l0: number, a0: number, b0: number) => {
    if (od[q] || !al[q]) return;
    const l = labL[q]!;
    const a = labA[q]!;
    const b = labB[q]!;
    const dl = (l - m0) * LIGHTNESS_WEIGHT;
    const da = a - m1;
    const db = b - m2;
    const dModel2 = dl * dl + da * da + db * db;
    if (dModel2 <= tol2) {
      od[q] = 1;
      stack[sp++] = q;
      return;
    }
    if (dModel2 > loose2) return;
    const nl = l - l0;
    const na = a - a0;
    const nb = b - b0;
    if (nl * nl + na * na + nb * nb <= NEIGHBOUR_STEP2) {
      od[q] = 1;
      stack[sp++] = q;
    }
  };
  while (sp > 0) {
    const p = stack[--sp]!;
    const x = p % w;
    const l0 = labL[p]!;
    const a0 = labA[p]!;
    const b0 = labB[p]!;
    if (x > 0) visit(p - 1, l0, a0, b0);
    if (x < w - 1) visit(p + 1, l0, a0, b0);
    if (p >= w) visit(p - w, l0, a0, b0);
    if (p < w * (h - 1)) visit(p + w, l0, a0, b0);
  }
  return out;
}
