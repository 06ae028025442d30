/**
 * Landmarks of a garment cut off a model, read against the model's body rather than from the outline alone. A worn
 * garment's outline is a poor guide: an open V splits the front in two halves down to the knot, sleeves hang beside
 * the body, the model is turned. Its body is a good one: the shoulder seams sit over the shoulder joints, the torso
 * runs between the shoulder and hip lines, the sleeves lie along the arms.
 */
import type { BodyFrame } from '../body/frame.js';
import { largestComponent } from '../raster/components.js';
import type { P } from '../raster/draw.js';
import { type BinaryMask, maskBounds } from '../raster/mask.js';
import { type GarmentLandmarks, type Point, type SleeveInfo, sleeveFromParts, strapCorner } from './landmarks.js';

/** Point-in-polygon (even-odd) for a convex or concave polygon. */
function inside(poly: P[], x: number, y: number): boolean {
  let c = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const a = poly[i]!;
    const b = poly[j]!;
    if (a.y > y !== b.y > y && x < ((b.x - a.x) * (y - a.y)) / (b.y - a.y) + a.x) c = !c;
  }
  return c;
}

/** The worn garment's mask read against the model's body. */
interface Worn {
  data: Uint8Array;
  w: number;
  h: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  frame: BodyFrame;
  sw: number;
  midX: number;
  shY: number;
  hipY: number;
}

/** Whether the garment holds the pixel nearest to (x, y). */
function at(m: Worn, x: number, y: number): boolean {
  const xi = Math.round(x);
  const yi = Math.round(y);
  return xi >= 0 && yi >= 0 && xi < m.w && yi < m.h && m.data[yi * m.w + xi] === 1;
}

/** The garment's top row in column x between rows `from` and `to`, or null. */
function topAt(m: Worn, x: number, from: number, to: number): number | null {
  const xi = Math.round(Math.min(m.w - 1, Math.max(0, x)));
  for (let y = Math.max(0, Math.round(from)); y <= Math.min(m.h - 1, Math.round(to)); y++)
    if (m.data[y * m.w + xi]) return y;
  return null;
}

/** The shoulder line is scanned inward from this far past the joint (shoulder widths) … */
const CORNER_SCAN_FROM_SW = 0.35;
/** … to this far inside it … */
const CORNER_SCAN_TO_SW = 0.4;
/** … lowered in steps (at least 2 px) down to this far below the joint. */
const CORNER_DROP_SW = 0.3;
const CORNER_DROP_STEP_SW = 0.03;
/** The top of the garment above a corner is looked for up to this far above the joint. */
const CORNER_TOP_SW = 0.5;
/** A sleeveless garment's strap tops are looked for down to 30 % of the way to the hips. */
const STRAP_DEPTH = 0.3;

/**
 * Shoulder corners: the garment's outer edge along the shoulder line, scanned inward from past the joint (a sleeved
 * garment covers the shoulder to the arm's edge; a strap stops inside it), then lifted to the top of the garment
 * there. A strap or a cut-away shoulder may start below the joint: the scan line is lowered in steps until it meets
 * the garment. Sleeveless: the strap's outermost high point (outward offset minus a penalty for dropping), as on a
 * flat-lay; the shoulder line of a tank runs past the straps into the armholes.
 */
function shoulderCorner(m: Worn, sign: -1 | 1, sleeveless: boolean | undefined): Point {
  const { frame, sw } = m;
  if (sleeveless) {
    return strapCorner(
      m.data,
      m.w,
      [m.x0, m.y0, m.x1],
      Math.min(m.y1, m.shY + (m.hipY - m.shY) * STRAP_DEPTH),
      m.midX,
      sign,
    );
  }
  const s = sign < 0 ? frame.lShoulder : frame.rShoulder;
  const ux = (frame.rShoulder.x - frame.lShoulder.x) / sw;
  const uy = (frame.rShoulder.y - frame.lShoulder.y) / sw;
  for (let dy = 0; dy <= sw * CORNER_DROP_SW; dy += Math.max(2, sw * CORNER_DROP_STEP_SW)) {
    for (let d = sw * CORNER_SCAN_FROM_SW; d > -sw * CORNER_SCAN_TO_SW; d -= 1) {
      const x = s.x + sign * ux * d;
      const y = s.y + sign * uy * d + dy;
      if (at(m, x, y) || at(m, x, y - 2) || at(m, x, y + 2)) {
        const top = topAt(m, x, s.y - sw * CORNER_TOP_SW, y + 2);
        return { x, y: top ?? y };
      }
    }
  }
  return { x: s.x, y: topAt(m, s.x, s.y - sw * CORNER_TOP_SW, s.y + sw * CORNER_DROP_SW) ?? s.y };
}

/** The neckline is the garment's top within this far (shoulder widths) of the body's axis … */
const NECK_HALF_SW = 0.15;
/** … and no lower than this far below the shoulder line. */
const NECK_MAX_DEPTH_SW = 0.4;

/** Neckline: the top of the garment near the body's axis (a collar, or the neckband of a crew neck). */
function neckline(m: Worn): Point {
  const { sw, midX } = m;
  let neckY = Number.POSITIVE_INFINITY;
  for (let x = Math.round(midX - sw * NECK_HALF_SW); x <= Math.round(midX + sw * NECK_HALF_SW); x++) {
    const t = topAt(m, x, m.y0, m.shY + sw * NECK_MAX_DEPTH_SW);
    if (t !== null && t < neckY) neckY = t;
  }
  return { x: midX, y: Number.isFinite(neckY) ? neckY : m.y0 };
}

/** The hem is the lowest row with more than 0.15 shoulder widths of garment within 0.3 of the hips' middle. */
const HEM_HALF_SW = 0.3;
const HEM_MIN_SW = 0.15;
/** Hem corners: 2 % of the garment's height above the hem, within half a shoulder width outside the hips. */
const HEM_CORNER_ABOVE = 0.02;
const HEM_CORNER_OUT_SW = 0.5;

/**
 * Hem: the lowest row of the garment across the middle of the body. Its corners: the outermost garment pixels just
 * above it near the hips (a crochet's holes break any run through the middle; a hand further out is not the hem).
 */
function hemLine(m: Worn): { hemY: number; hemLeft: Point; hemRight: Point } {
  const { frame, sw, w } = m;
  const hipMidX = (frame.lHip.x + frame.rHip.x) / 2;
  let hemY = -1;
  for (let y = m.y1; y > m.shY && hemY < 0; y--) {
    let n = 0;
    for (let x = Math.round(hipMidX - sw * HEM_HALF_SW); x <= Math.round(hipMidX + sw * HEM_HALF_SW); x++) {
      if (at(m, x, y)) n++;
    }
    if (n > sw * HEM_MIN_SW) hemY = y;
  }
  if (hemY < 0) hemY = m.y1;
  const hy = Math.round(hemY - (hemY - m.y0) * HEM_CORNER_ABOVE);
  const xa = Math.max(0, Math.round(Math.min(frame.lHip.x, frame.rHip.x) - sw * HEM_CORNER_OUT_SW));
  const xb = Math.min(w - 1, Math.round(Math.max(frame.lHip.x, frame.rHip.x) + sw * HEM_CORNER_OUT_SW));
  let ha = Math.round(hipMidX);
  let hb = ha;
  for (let x = xa; x <= xb; x++) {
    if (!at(m, x, hy)) continue;
    if (x < ha) ha = x;
    if (x > hb) hb = x;
  }
  return { hemY, hemLeft: { x: ha, y: hy }, hemRight: { x: hb, y: hy } };
}

/** Armpits: 35 % of the way from the shoulders to the hips … */
const ARMPIT_DEPTH = 0.35;
/** … a little outside the shoulder–hip line (the joints sit inside the silhouette) … */
const ARMPIT_OUT_SW = 0.06;
/** … or, sleeveless, the garment's own edge on that row within this far of it. */
const ARMHOLE_SEARCH_SW = 0.3;

/**
 * One armpit. Sleeved: on the shoulder–hip line, a little outside it; sleeveless: the garment's own edge on that row.
 * A top's sides run near-straight from the armpit to the hem: a loose garment whose hem is wider than the body's line
 * has its armpits out there too, or its sides below a hanging sleeve are taken for sleeve.
 */
function armpit(m: Worn, sign: -1 | 1, hemCorner: Point, sleeveless: boolean | undefined): Point {
  const { frame, sw } = m;
  const s = sign < 0 ? frame.lShoulder : frame.rShoulder;
  const hip = sign < 0 ? frame.lHip : frame.rHip;
  const apY = m.shY + (m.hipY - m.shY) * ARMPIT_DEPTH;
  const t = (apY - s.y) / Math.max(1, hip.y - s.y);
  const lx = s.x + (hip.x - s.x) * t + sign * sw * ARMPIT_OUT_SW;
  if (sleeveless) {
    for (let d = sw * ARMHOLE_SEARCH_SW; d > -sw * ARMHOLE_SEARCH_SW; d--) {
      if (at(m, lx + sign * d, apY)) return { x: lx + sign * d, y: apY };
    }
    return { x: lx, y: apY };
  }
  return { x: sign < 0 ? Math.min(lx, hemCorner.x) : Math.max(lx, hemCorner.x), y: apY };
}

/** A sleeve smaller than this share of the garment's bounding box is none. */
const MIN_SLEEVE_AREA = 0.012;

/**
 * Parts: the torso is the polygon shoulder corners → armpits → down to the bottom, sleeves what lies outside it (the
 * largest piece each side; a sleeve too small to be one goes back to the torso).
 */
function partsAndSleeves(
  m: Worn,
  lm: Pick<GarmentLandmarks, 'shoulderLeft' | 'shoulderRight' | 'armpitLeft' | 'armpitRight' | 'hemLeft' | 'hemRight'>,
  hemY: number,
  sleeveless: boolean | undefined,
): { parts: Uint8Array; sleeveLeft: SleeveInfo | null; sleeveRight: SleeveInfo | null } {
  const { w, h, x0, y0, x1, y1, data, midX } = m;
  const { shoulderLeft, shoulderRight, armpitLeft, armpitRight, hemLeft, hemRight } = lm;
  const poly: P[] = [
    { x: shoulderLeft.x, y: 0 },
    { x: shoulderRight.x, y: 0 },
    shoulderRight,
    armpitRight,
    { x: Math.max(armpitRight.x, hemRight.x) + 2, y: hemY },
    { x: Math.max(armpitRight.x, hemRight.x) + 2, y: h },
    { x: Math.min(armpitLeft.x, hemLeft.x) - 2, y: h },
    { x: Math.min(armpitLeft.x, hemLeft.x) - 2, y: hemY },
    armpitLeft,
    shoulderLeft,
  ];
  const parts = new Uint8Array(w * h);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const i = y * w + x;
      if (!data[i]) continue;
      parts[i] = sleeveless || inside(poly, x + 0.5, y + 0.5) ? 1 : x < midX ? 2 : 3;
    }
  }
  const minSleeve = (x1 - x0 + 1) * (y1 - y0 + 1) * MIN_SLEEVE_AREA;
  const sleeve = (part: number, root: Point): SleeveInfo | null => {
    const sel = new Uint8Array(w * h);
    for (let i = 0; i < sel.length; i++) sel[i] = parts[i] === part ? 1 : 0;
    const { mask: keep, size } = largestComponent({ data: sel, width: w, height: h });
    for (let i = 0; i < sel.length; i++) if (sel[i] && !keep.data[i]) parts[i] = 1;
    if (size <= minSleeve) {
      for (let i = 0; i < sel.length; i++) if (keep.data[i]) parts[i] = 1;
      return null;
    }
    // Only the kept component is still labelled `part`.
    return sleeveFromParts(parts, w, part, root, size);
  };
  const sleeveLeft = sleeve(2, shoulderLeft);
  const sleeveRight = sleeve(3, shoulderRight);
  return { parts, sleeveLeft, sleeveRight };
}

export function onModelLandmarks(
  mask: BinaryMask,
  frame: BodyFrame,
  options: { sleeveless?: boolean } = {},
): GarmentLandmarks | null {
  const bounds = maskBounds(mask);
  if (!bounds) return null;
  const [x0, y0, x1, y1] = bounds;
  const m: Worn = {
    data: mask.data,
    w: mask.width,
    h: mask.height,
    x0,
    y0,
    x1,
    y1,
    frame,
    sw: frame.shoulderWidth,
    midX: (frame.lShoulder.x + frame.rShoulder.x) / 2,
    shY: (frame.lShoulder.y + frame.rShoulder.y) / 2,
    hipY: (frame.lHip.y + frame.rHip.y) / 2,
  };
  const { sleeveless } = options;
  const shoulderLeft = shoulderCorner(m, -1, sleeveless);
  const shoulderRight = shoulderCorner(m, 1, sleeveless);
  const neck = neckline(m);
  const { hemY, hemLeft, hemRight } = hemLine(m);
  const armpitLeft = armpit(m, -1, hemLeft, sleeveless);
  const armpitRight = armpit(m, 1, hemRight, sleeveless);
  const lm = { shoulderLeft, shoulderRight, armpitLeft, armpitRight, hemLeft, hemRight };
  const { parts, sleeveLeft, sleeveRight } = partsAndSleeves(m, lm, hemY, sleeveless);
  return {
    centerX: m.midX,
    neck,
    ...lm,
    hemCenter: { x: (hemLeft.x + hemRight.x) / 2, y: hemY },
    sleeveLeft,
    sleeveRight,
    bbox: [x0, y0, x1, y1],
    parts,
    sleevesHanging: false,
  };
}
