/**
 * Landmarks of bottoms (skirts, trousers, shorts) from the cut-out mask. A flat-laid bottom is simple compared with
 * a top: a straight waistband along the top edge, and either one hem (skirt) or one hem per leg below a crotch
 * (trousers). The waistband is found a little below the top edge (the first rows are the band's anti-aliased rim),
 * the crotch by walking up the centre axis from the bottom until the mask is hit.
 */
import { type BinaryMask, maskBounds } from '../raster/mask.js';
import type { GarmentLandmarks, Point } from './landmarks.js';

export interface LegInfo {
  /** Leg centre at the waistband (where the leg's axis starts in the flat-lay). */
  top: Point;
  /** Centre of the leg's hem. */
  hem: Point;
  hemLeft: Point;
  hemRight: Point;
  /** Mean width of the leg below the crotch, in garment pixels. */
  width: number;
}

export interface BottomLandmarks {
  waistLeft: Point;
  waistRight: Point;
  hemLeft: Point;
  hemRight: Point;
  /** The crotch point (top of the gap between the legs); null for a skirt. */
  crotch: Point | null;
  /** Outer edges at the crotch's height (trousers: the hips' width in the flat-lay); null for a skirt. */
  hipLeft: Point | null;
  hipRight: Point | null;
  legLeft: LegInfo | null;
  legRight: LegInfo | null;
  bbox: [number, number, number, number];
  /** Per pixel: 0 outside, 1 waist panel (whole skirt), 2 left leg, 3 right leg (below the crotch). */
  parts: Uint8Array;
}

function rowExtent(m: BinaryMask, y: number, xa = 0, xb = m.width - 1): [number, number] | null {
  let a = -1;
  let b = -1;
  for (let x = xa; x <= xb; x++)
    if (m.data[y * m.width + x]) {
      if (a < 0) a = x;
      b = x;
    }
  return a < 0 ? null : [a, b];
}

/** Bottom landmarks; null when the mask is empty. */
export function findBottomLandmarks(mask: BinaryMask): BottomLandmarks | null {
  const { width: w, height: h, data } = mask;
  const bounds = maskBounds(mask);
  if (!bounds) return null;
  const [x0, y0, x1, y1] = bounds;
  const gh = y1 - y0 + 1;
  const cx = Math.round((x0 + x1) / 2);
  const wy = Math.min(y1, y0 + Math.max(1, Math.round(gh * 0.02)));
  const we = rowExtent(mask, wy) ?? [x0, x1];
  // Corners at the top edge (y0), width from just below it: the top rows map onto the body's waistline.
  const waistLeft = { x: we[0], y: y0 };
  const waistRight = { x: we[1], y: y0 };

  // Crotch: walk up the centre axis from the bottom until the mask is hit (the gap narrows to a point there).
  let crotchY = -1;
  for (let y = y1; y > wy; y--) {
    if (data[y * w + cx]) {
      crotchY = y;
      break;
    }
  }
  // A gap shorter than 15 % of the height is a slit or a shadow in the hem, not two legs.
  const trousers = crotchY > 0 && y1 - crotchY > gh * 0.15;

  const hy = Math.max(y0, y1 - Math.max(1, Math.round(gh * 0.02)));
  const parts = new Uint8Array(w * h);
  for (let p = 0; p < w * h; p++) if (data[p]) parts[p] = 1;
  if (!trousers) {
    const he = rowExtent(mask, hy) ?? [x0, x1];
    return {
      waistLeft,
      waistRight,
      hemLeft: { x: he[0], y: hy },
      hemRight: { x: he[1], y: hy },
      crotch: null,
      hipLeft: null,
      hipRight: null,
      legLeft: null,
      legRight: null,
      bbox: [x0, y0, x1, y1],
      parts,
    };
  }
  for (let y = crotchY + 1; y < h; y++)
    for (let x = 0; x < w; x++) if (data[y * w + x]) parts[y * w + x] = x < cx ? 2 : 3;
  const leg = (xa: number, xb: number): LegInfo => {
    const he = rowExtent(mask, hy, xa, xb) ?? [xa, xb];
    let sum = 0;
    let cnt = 0;
    for (let y = crotchY + 1; y <= y1; y += 2) {
      const e = rowExtent(mask, y, xa, xb);
      if (e) {
        sum += e[1] - e[0] + 1;
        cnt++;
      }
    }
    const te = rowExtent(mask, wy, xa, xb) ?? [xa, xb];
    return {
      top: { x: (te[0] + te[1]) / 2, y: y0 },
      hem: { x: (he[0] + he[1]) / 2, y: hy },
      hemLeft: { x: he[0], y: hy },
      hemRight: { x: he[1], y: hy },
      width: cnt ? sum / cnt : (xb - xa) / 2,
    };
  };
  const ce = rowExtent(mask, crotchY) ?? [x0, x1];
  const legLeft = leg(x0, cx - 1);
  const legRight = leg(cx + 1, x1);
  return {
    waistLeft,
    waistRight,
    hemLeft: legLeft.hemLeft,
    hemRight: legRight.hemRight,
    crotch: { x: cx, y: crotchY },
    hipLeft: { x: ce[0], y: crotchY },
    hipRight: { x: ce[1], y: crotchY },
    legLeft,
    legRight,
    bbox: [x0, y0, x1, y1],
    parts,
  };
}

/**
 * The bottom's landmarks in the shape of a top's, so code shared with tops (classification, rendering, the
 * composite's layering zone) reads them: the waistband plays the shoulders and neckline, the hem the hem.
 */
export function asGarmentLandmarks(b: BottomLandmarks): GarmentLandmarks {
  const waistMid = { x: (b.waistLeft.x + b.waistRight.x) / 2, y: (b.waistLeft.y + b.waistRight.y) / 2 };
  const hemCenter = b.crotch ?? { x: (b.hemLeft.x + b.hemRight.x) / 2, y: (b.hemLeft.y + b.hemRight.y) / 2 };
  return {
    centerX: waistMid.x,
    neck: waistMid,
    shoulderLeft: b.waistLeft,
    shoulderRight: b.waistRight,
    armpitLeft: b.waistLeft,
    armpitRight: b.waistRight,
    hemLeft: b.hemLeft,
    hemRight: b.hemRight,
    hemCenter,
    sleeveLeft: null,
    sleeveRight: null,
    bbox: b.bbox,
    parts: b.parts,
    sleevesHanging: false,
  };
}

/**
 * Shape test for an untitled bottom: a flat top edge (a waistband, not a neckline dipping in the middle or straps)
 * spanning most of the garment's width. Tops have a neckline: their top edge at the centre lies well below the top
 * edge at the shoulders.
 */
export function looksLikeBottom(mask: BinaryMask): boolean {
  const b = findBottomLandmarks(mask);
  if (!b) return false;
  const [x0, y0, x1, y1] = b.bbox;
  const gw = x1 - x0 + 1;
  const gh = y1 - y0 + 1;
  if (b.waistRight.x - b.waistLeft.x < gw * 0.55) return false;
  // The top edge's depth at 25 %, 50 % and 75 % across the waist: within 4 % of the height of the topmost row.
  const { width: w, data } = mask;
  for (const f of [0.25, 0.5, 0.75]) {
    const x = Math.round(b.waistLeft.x + (b.waistRight.x - b.waistLeft.x) * f);
    let y = y0;
    while (y <= y1 && !data[y * w + x]) y++;
    if (y - y0 > gh * 0.04) return false;
  }
  return true;
}
