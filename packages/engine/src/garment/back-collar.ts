/**
 * The inner back collar of a flat-lay V-neck. A flat-lay's top contour is usually the back collar: through a V
 * neckline the inside of the back (the back panel, the neck tape, the label) shows, and warped onto a person it becomes
 * a grey panel with a label under the chin. That panel is a region that touches the top contour at the centre, is
 * bounded all round by the neckline's trim (a colour edge), and stays well inside the neckline zone; a crew or polo
 * neck has no such region (growing from below the collar at the centre runs into the whole front), so then nothing
 * is removed.
 */

import { type LabPlanes, labPlanes, upperMedian } from '../raster/colour.js';
import { fillHoles } from '../raster/components.js';
import { type BinaryMask, type Box, maskBounds } from '../raster/mask.js';
import type { RawImage } from '../vision/types.js';

export interface BackCollarResult {
  mask: BinaryMask;
  /** Pixels removed (0 when no back-collar panel was found). */
  removed: number;
}

/** The zone a back panel can occupy: this share of the garment's width each side of the axis … */
const ZONE_HALF_WIDTH = 0.2;
/** … and of its height below the top. */
const ZONE_DEPTH = 0.4;
/** The neck tape's colour change is looked for within this share of the garment's height below the top. */
const TAPE_SEARCH = 0.15;
/** A colour change: squared ΔE76 over 225 (15 units) on three rows in a row. */
const TAPE_CHANGE2 = 225;
/** Growth: squared ΔE76 to the neighbour at most 36 (6 units) … */
const NEIGHBOUR_STEP2 = 36;
/** … and to the seed's median at most 196 (14 units), lightness at half weight (shading). */
const MODEL_DISTANCE2 = 196;
/** A V has depth: a panel shallower than this share of the garment's height is the collar's own inside edge. */
const MIN_DEPTH = 0.08;
/** A V is wide at the top: a panel narrower than this share of the garment's width is a placket's or zip's gap. */
const MIN_WIDTH = 0.06;

/** The garment's axis (the mean x of the mask in its top third: sleeves hang symmetrically) and its top there. */
function neckAxis(mask: BinaryMask, [x0, y0, x1, y1]: Box): { cx: number; yTop: number } | null {
  const w = mask.width;
  const gh = y1 - y0 + 1;
  let sx = 0;
  let sn = 0;
  for (let y = y0; y < y0 + gh / 3; y++) {
    for (let x = x0; x <= x1; x++) {
      if (mask.data[y * w + x]) {
        sx += x;
        sn++;
      }
    }
  }
  if (sn === 0) return null;
  const cx = Math.round(sx / sn);
  let yTop = -1;
  for (let y = y0; y <= y1 && yTop < 0; y++) if (mask.data[y * w + cx]) yTop = y;
  return yTop < 0 ? null : { cx, yTop };
}

/**
 * The seed row below the neck tape: the collar's top edge is usually a trim of another colour (a rib, a contrast
 * band) that runs on down the V's sides, so growing from it runs down to the hem. Walk down the axis to the first
 * lasting colour change; no change means a plain crew neck (the seed then stays just below the top).
 */
function seedRow(mask: BinaryMask, lab: LabPlanes, cx: number, yTop: number, zy1: number, gh: number): number {
  const w = mask.width;
  const { L, A, B } = lab;
  const t = (yTop + 2) * w + cx;
  for (let y = yTop + 3; y < Math.min(zy1, yTop + gh * TAPE_SEARCH); y++) {
    let changed = 0;
    for (let k = 0; k < 3; k++) {
      const q = (y + k) * w + cx;
      const dl = L[q]! - L[t]!;
      const da = A[q]! - A[t]!;
      const db = B[q]! - B[t]!;
      if (mask.data[q] && dl * dl + da * da + db * db > TAPE_CHANGE2) changed++;
    }
    if (changed === 3) return y + 2;
  }
  return yTop + 3;
}

/**
 * The panel grown from the seeds by small colour steps that stay near the seeds' median colour, inside the zone
 * [zx0, zx1] × [.., zy1]; `leaked` when it reaches the zone's edge (a crew or polo neck: the whole front).
 */
function growPanel(
  mask: BinaryMask,
  lab: LabPlanes,
  seeds: number[],
  [zx0, zx1, zy1]: [number, number, number],
  seedY: number,
): { region: Uint8Array; bottom: number; leaked: boolean } {
  const { width: w, height: h } = mask;
  const { L, A, B } = lab;
  const m0 = upperMedian(seeds.map((p) => L[p]!));
  const m1 = upperMedian(seeds.map((p) => A[p]!));
  const m2 = upperMedian(seeds.map((p) => B[p]!));
  const region = new Uint8Array(w * h);
  const stack: number[] = [];
  for (const p of seeds) {
    region[p] = 1;
    stack.push(p);
  }
  let leaked = false;
  let bottom = seedY;
  while (stack.length > 0 && !leaked) {
    const p = stack.pop()!;
    const x = p % w;
    const y = (p / w) | 0;
    if (x <= zx0 || x >= zx1 || y >= zy1) {
      leaked = true;
      break;
    }
    if (y > bottom) bottom = y;
    for (const q of [p - 1, p + 1, p - w, p + w]) {
      if (region[q] || !mask.data[q]) continue;
      const dl = L[q]! - L[p]!;
      const da = A[q]! - A[p]!;
      const db = B[q]! - B[p]!;
      if (dl * dl + da * da + db * db > NEIGHBOUR_STEP2) continue;
      const ml = (L[q]! - m0) * 0.5;
      const ma = A[q]! - m1;
      const mb = B[q]! - m2;
      if (ml * ml + ma * ma + mb * mb > MODEL_DISTANCE2) continue;
      region[q] = 1;
      stack.push(q);
    }
  }
  return { region, bottom, leaked };
}

/**
 * The panel cut out of the mask. The label and the tape's stitching inside the panel are holes of the region: they
 * go with it. Above the panel, the back neck tape along the top contour goes too, so that the neckline opens at the
 * top like a worn V-neck.
 */
function cutPanel(mask: BinaryMask, region: Uint8Array, zx0: number, zx1: number, yTop: number, bottom: number) {
  const { width: w, height: h } = mask;
  const filled = fillHoles({ data: region, width: w, height: h });
  const out = new Uint8Array(mask.data);
  let removed = 0;
  const spanX = new Int32Array(w).fill(-1);
  for (let y = yTop; y <= bottom; y++) {
    for (let x = zx0; x <= zx1; x++) {
      const p = y * w + x;
      if (!filled.data[p]) continue;
      if (spanX[x]! < 0) spanX[x] = y;
      if (out[p]) {
        out[p] = 0;
        removed++;
      }
    }
  }
  for (let x = zx0; x <= zx1; x++) {
    const top = spanX[x]!;
    if (top < 0) continue;
    for (let y = yTop - 2; y < top; y++) {
      const p = y * w + x;
      if (y >= 0 && out[p]) {
        out[p] = 0;
        removed++;
      }
    }
  }
  return { mask: { data: out, width: w, height: h }, removed };
}

export function removeBackCollar(img: RawImage, mask: BinaryMask): BackCollarResult {
  const { width: w, height: h } = mask;
  const none = { mask, removed: 0 };
  const b = maskBounds(mask);
  if (!b) return none;
  const [x0, y0, x1, y1] = b;
  const gw = x1 - x0 + 1;
  const gh = y1 - y0 + 1;
  const axis = neckAxis(mask, b);
  if (!axis) return none;
  const { cx, yTop } = axis;
  const zx0 = Math.max(0, Math.round(cx - gw * ZONE_HALF_WIDTH));
  const zx1 = Math.min(w - 1, Math.round(cx + gw * ZONE_HALF_WIDTH));
  const zy1 = Math.min(h - 1, Math.round(yTop + gh * ZONE_DEPTH));
  const lab = labPlanes(img, mask);
  const seedY = seedRow(mask, lab, cx, yTop, zy1, gh);
  const seeds: number[] = [];
  for (let y = seedY; y < seedY + 3; y++)
    for (let x = cx - 2; x <= cx + 2; x++) if (mask.data[y * w + x]) seeds.push(y * w + x);
  if (seeds.length < 5) return none;
  const { region, bottom, leaked } = growPanel(mask, lab, seeds, [zx0, zx1, zy1], seedY);
  if (leaked || bottom - yTop < gh * MIN_DEPTH) return none;
  let widest = 0;
  for (let y = seedY; y <= bottom; y++) {
    let n = 0;
    for (let x = zx0; x <= zx1; x++) n += region[y * w + x]!;
    widest = Math.max(widest, n);
  }
  if (widest < gw * MIN_WIDTH) return none;
  return cutPanel(mask, region, zx0, zx1, yTop, bottom);
}
