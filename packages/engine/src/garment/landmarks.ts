/**
 * Garment landmarks from the cut-out mask's contour: neckline centre, shoulder corners, armpits, hem corners and
 * sleeve ends, plus a part map (torso / left sleeve / right sleeve) used by the per-part warp.
 *
 * What breaks a naive row-width profile (design/engine.md, "facts from a crude prototype"): long sleeves hanging
 * beside the body make the cuffs look like hem corners, and straps or ties look like sleeves. So thin appendages are
 * trimmed first (a morphological opening), then the torso's side edges are followed upwards from the hem, and the
 * first outward jump of an edge marks the armpit where a sleeve joins. Everything outside the torso's side lines is
 * sleeve. "Left" and "right" are image sides (x small = image left).
 */

import { largestComponent } from '../raster/components.js';
import type { BinaryMask } from '../raster/mask.js';
import { type Armpits, findArmpits } from './armpits.js';
import { centralRun, rowRuns, traceOutline } from './outline.js';

/** A sleeve's end: the centroid of its pixels at least this share of the farthest one's distance from its root. */
const SLEEVE_END_SHARE = 0.9;
/** A strap's corner: outward offset minus this penalty per row of drop. */
const STRAP_DROP_PENALTY = 0.6;
/** …searched down to this share of the garment's height (or the armpits). */
const STRAP_SEARCH_DEPTH = 0.35;
/** A sleeve smaller than this share of the garment's bounding box is none (a label, a side slit's flap). */
const MIN_SLEEVE_AREA = 0.012;
/** The hem's corners are measured this share of the height above the hem (its own edge is often ragged). */
const HEM_CORNER_ABOVE = 0.01;
/**
 * The rows just below the armpit (this share of the garment's height) where a sleeve's lower edge can still touch the
 * body: the armpit is found where the edge jumps, and the notch under the sleeve opens a few rows lower.
 */
const ARMPIT_JUNCTION = 0.03;
/** …there, a row reaching past a side line by more than this share of the width is sleeve past that line. */
const JUNCTION_REACH = 0.05;

export interface Point {
  x: number;
  y: number;
}

export interface SleeveInfo {
  /** Where the sleeve joins the shoulder (the shoulder corner). */
  root: Point;
  /** Centre of the sleeve's far end (cuff). */
  end: Point;
  /** Root → end distance in pixels. */
  length: number;
  /** Mean width across the sleeve (area / length). */
  width: number;
  /** Pixel count. */
  area: number;
}

export interface GarmentLandmarks {
  /** Symmetry axis x. */
  centerX: number;
  /** Top of the garment at the centre axis: the neckline (front dip for V and scoop necks, else the collar top). */
  neck: Point;
  shoulderLeft: Point;
  shoulderRight: Point;
  armpitLeft: Point;
  armpitRight: Point;
  hemLeft: Point;
  hemRight: Point;
  /** Bottom of the garment at the centre axis. */
  hemCenter: Point;
  sleeveLeft: SleeveInfo | null;
  sleeveRight: SleeveInfo | null;
  /** Garment bounding box [x0, y0, x1, y1] (inclusive) of the trimmed mask. */
  bbox: [number, number, number, number];
  /** Per pixel: 0 = outside, 1 = torso, 2 = left sleeve, 3 = right sleeve (on the full, untrimmed mask). */
  parts: Uint8Array;
  /** Whether the armpit jump was found at cuff height (sleeves hanging against the body). */
  sleevesHanging: boolean;
}

/**
 * The sleeve whose `area` pixels are labelled `part` in `parts` (row-major, `w` wide), joining the body at `root`:
 * its end is the centroid of the pixels at least 90 % as far from the root as the farthest one.
 */
export function sleeveFromParts(parts: Uint8Array, w: number, part: number, root: Point, area: number): SleeveInfo {
  let maxD = 0;
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] !== part) continue;
    const x = i % w;
    const y = (i - x) / w;
    const d = Math.hypot(x - root.x, y - root.y);
    if (d > maxD) maxD = d;
  }
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] !== part) continue;
    const x = i % w;
    const y = (i - x) / w;
    if (Math.hypot(x - root.x, y - root.y) >= maxD * SLEEVE_END_SHARE) {
      sx += x;
      sy += y;
      n++;
    }
  }
  const end = { x: sx / n, y: sy / n };
  const length = Math.hypot(end.x - root.x, end.y - root.y);
  return { root, end, length, width: area / Math.max(1, length), area };
}

/**
 * A sleeveless garment's shoulder on one side (`sign` −1 left, +1 right of `cx`): the strap's outermost high point,
 * maximising the outward offset minus a penalty for dropping (0.6 per row below `y0`), over rows y0 … yEnd − 1 and
 * columns x0 … x1 of `data` (`w` wide).
 */
export function strapCorner(
  data: Uint8Array,
  w: number,
  [x0, y0, x1]: readonly [number, number, number],
  yEnd: number,
  cx: number,
  sign: number,
): Point {
  let best: Point = { x: cx, y: y0 };
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let y = y0; y < yEnd; y++) {
    for (let x = x0; x <= x1; x++) {
      if (!data[y * w + x]) continue;
      const score = (x - cx) * sign - STRAP_DROP_PENALTY * (y - y0);
      if (score > bestScore) {
        bestScore = score;
        best = { x, y };
      }
    }
  }
  return best;
}

/**
 * The part map on the full mask: torso between the side lines (and below the armpit, the central run only), sleeves
 * outside them. Only the largest connected piece of each sleeve is kept; stray bits (a side slit, a label) go back to
 * the torso.
 *
 * The junction: where a sleeve hangs lower than the armpit, its edge still touches the body for a few rows under the
 * armpit before the notch between them opens. As torso, those rows would cut the sleeve in two and its lower piece
 * would go to the torso with them (a long sleeve's upper half warped with the body; a contrast sleeve's corner drawn
 * on the body's side). So on a side where the notch opens within ARMPIT_JUNCTION, the rows above it are cut at the
 * side line. Where it never opens (a cami's body under its straps), nothing is cut.
 */
function partMap(
  mask: BinaryMask,
  cx: number,
  { leftX, rightX, armpitY, hanging }: Armpits,
  garmentHeight: number,
): { parts: Uint8Array; areaL: number; areaR: number } {
  const { width: w, height: h } = mask;
  const parts = new Uint8Array(w * h);
  let areaL = 0;
  let areaR = 0;
  const notch = hanging
    ? { left: -1, right: -1 }
    : notchRows(mask, cx, armpitY, armpitY + ARMPIT_JUNCTION * garmentHeight);
  const reach = JUNCTION_REACH * (rightX - leftX);
  for (let y = 0; y < h; y++) {
    let cr = y > armpitY && !hanging ? centralRun(rowRuns(mask, y), cx) : null;
    if (cr && y < notch.left && cr.a < leftX - reach) cr = { a: leftX, b: cr.b };
    if (cr && y < notch.right && cr.b > rightX + reach) cr = { a: cr.a, b: rightX };
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!mask.data[i]) continue;
      let part = 1;
      if (y > armpitY && !hanging) {
        if (cr && x >= cr.a && x <= cr.b) part = 1;
        else part = x < cx ? 2 : 3;
      } else if (x < leftX - 1) part = 2;
      else if (x > rightX + 1) part = 3;
      parts[i] = part;
      if (part === 2) areaL++;
      else if (part === 3) areaR++;
    }
  }
  for (const part of [2, 3]) {
    const sel = new Uint8Array(w * h);
    for (let i = 0; i < sel.length; i++) sel[i] = parts[i] === part ? 1 : 0;
    const { mask: keep, size } = largestComponent({ data: sel, width: w, height: h });
    for (let i = 0; i < sel.length; i++) if (sel[i] && !keep.data[i]) parts[i] = 1;
    if (part === 2) areaL = size;
    else areaR = size;
  }
  return { parts, areaL, areaR };
}

/**
 * The first row on each side, below `fromY` and down to `toY`, where a piece of the garment lies apart from the
 * central run on that side (the notch under a sleeve has opened); -1 on a side where none does.
 */
function notchRows(mask: BinaryMask, cx: number, fromY: number, toY: number): { left: number; right: number } {
  let left = -1;
  let right = -1;
  for (let y = Math.floor(fromY) + 1; y <= Math.min(toY, mask.height - 1) && (left < 0 || right < 0); y++) {
    const runs = rowRuns(mask, y);
    const cr = centralRun(runs, cx);
    if (!cr) continue;
    if (left < 0 && runs.some((r) => r.b < cr.a)) left = y;
    if (right < 0 && runs.some((r) => r.a > cr.b)) right = y;
  }
  return { left, right };
}

/**
 * Finds landmarks on a garment mask (upper garments and dresses). Returns null when the mask is empty. With
 * `sleeveless` (from the product's words), sleeve detection is skipped: straps and drapes then stay torso.
 * Stages: the outline (outline.ts) → the armpits and side lines (armpits.ts) → the part map → shoulders, neck, hem
 * and sleeves.
 */
export function findLandmarks(
  mask: BinaryMask,
  options: { sleeveless?: boolean; dress?: boolean } = {},
): GarmentLandmarks | null {
  const { width: w } = mask;
  const o = traceOutline(mask);
  if (!o) return null;
  const { core, x0, y0, x1, y1, W, H, cx, L, R, yHem } = o;
  const pits = findArmpits(o, options.sleeveless, options.dress);
  const { jl, jr, leftX, rightX, armpitY, hanging } = pits;
  const { parts, areaL, areaR } = partMap(mask, cx, pits, H);

  const topAt = (x: number): number => {
    const xi = Math.round(Math.min(w - 1, Math.max(0, x)));
    for (let y = y0; y <= y1; y++) if (core.data[y * w + xi]) return y;
    return y0;
  };
  const minSleeve = W * H * MIN_SLEEVE_AREA;
  // Sleeveless by the words: what lies outside the side lines is a strap, a drape or a shoulder panel, and is warped
  // with the torso; as a sleeve it would be bent down the arm.
  const hasLeft = !options.sleeveless && areaL > minSleeve;
  const hasRight = !options.sleeveless && areaR > minSleeve;
  if (options.sleeveless) for (let i = 0; i < parts.length; i++) if (parts[i]! > 1) parts[i] = 1;

  // Shoulders: for a sleeved side, the top contour at the torso side line (the shoulder seam); for a sleeveless
  // side, the outermost high point of the strap (maximise outward offset minus a penalty for dropping).
  const sleevelessShoulder = (sign: number): Point =>
    strapCorner(core.data, w, [x0, y0, x1], Math.min(armpitY, y0 + H * STRAP_SEARCH_DEPTH), cx, sign);
  const shoulderLeft = hasLeft ? { x: leftX, y: topAt(leftX) } : sleevelessShoulder(-1);
  const shoulderRight = hasRight ? { x: rightX, y: topAt(rightX) } : sleevelessShoulder(1);
  const neck = { x: cx, y: topAt(cx) };

  const hemY = Math.round(yHem - H * HEM_CORNER_ABOVE);
  const hemLeft = { x: Number.isNaN(L[hemY]!) ? leftX : L[hemY]!, y: hemY };
  const hemRight = { x: Number.isNaN(R[hemY]!) ? rightX : R[hemY]!, y: hemY };

  const sleeveInfo = (part: number, root: Point, area: number): SleeveInfo | null => {
    return area <= minSleeve ? null : sleeveFromParts(parts, w, part, root, area);
  };

  return {
    centerX: cx,
    neck,
    shoulderLeft,
    shoulderRight,
    armpitLeft: { x: leftX, y: jl },
    armpitRight: { x: rightX, y: jr },
    hemLeft,
    hemRight,
    hemCenter: { x: cx, y: yHem },
    sleeveLeft: hasLeft ? sleeveInfo(2, shoulderLeft, areaL) : null,
    sleeveRight: hasRight ? sleeveInfo(3, shoulderRight, areaR) : null,
    bbox: [x0, y0, x1, y1],
    parts,
    sleevesHanging: hanging,
  };
}
