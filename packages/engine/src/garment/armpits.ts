/**
 * The armpits: where each side edge of the torso, followed upwards from the hem, jumps outwards (a sleeve joins),
 * or, on a sleeveless side, where the armhole curves in. Sleeves hanging against the body are told apart by the gap
 * below the jump. The torso's side lines come with them.
 */
import { centralRun, type Outline, rowRuns } from './outline.js';

/** An excursion must stay out by this share of the width … */
const JUMP_WIDTH = 0.05;
/** … over this share of the height above it (rejects lumpy outlines: crochet flowers, ruffles). */
const JUMP_PERSIST = 0.08;
/** The edges are followed from this share of the height above the hem … */
const START_ABOVE_HEM = 0.03;
/** … up to this share of the height below the top. */
const STOP_BELOW_TOP = 0.05;
/** Rows over which an edge's outward slope is measured (share of the height; at least 4). */
const SLOPE_WINDOW = 0.012;
/** An edge moving out faster than this (px per row) is a sleeve's underside or a gap closing: torso sides are
 * near-vertical (< 0.5 px per row), a sleeve's underside is at most ~45° (≥ 1 px per row). */
const SLEEVE_SLOPE = 1.0;
/** While the edge still moves out this fast (px per row), the armpit is lower down. */
const STILL_MOVING = 0.5;
/** Below a hanging sleeve's jump the gap beside the torso is looked for over this share of the height … */
const GAP_WINDOW = 0.12;
/**
 * … from this share of the height below the jump (the gap is a wedge widening downwards: its tip, a pixel or two
 * wide, is closed by the cut-out's rim — the fill passes only pixels whose 3×3 neighbourhood is background) …
 */
const GAP_SKIP = 0.015;
/** … and must show on more than half its rows. */
const GAP_ROWS = 0.5;
/** Two sides' armpits agree when within this share of the height; else the higher one is taken. */
const ARMPIT_AGREE = 0.12;
/** Armpits sit at 20–45 % of a top's height: a jump below 45 % with a gap below it is a hanging sleeve's cuff. */
const ARMPIT_LOWEST = 0.45;
/**
 * Below this share of the height a jump with no gap beside it is the hem's corner (the lowest armpit seen on the
 * development sets' flat-lays is at 0.75, a boxy tee's; the hem corners were found at 0.95–0.97).
 */
const HEM_ZONE = 0.85;
/** A hanging sleeve's armpit is taken at a typical depth (share of the height). */
const HANGING_ARMPIT = 0.3;
/** A sleeveless armhole: where the edge has moved in by this share of the width from its widest point. */
const ARMHOLE_IN = 0.04;
/**
 * A dress's torso is at least this share of its width each side of the centre at its armpits (0.26–0.46 on the four
 * sleeveless dresses of the development sets, whose skirts are wider than their bodices).
 */
const DRESS_MIN_HALF_WIDTH = 0.2;

/** Where a sleeveless garment's armholes are sought, as shares of its height from the top. */
interface ArmpitDepth {
  /** The lowest an armpit can be. */
  lowest: number;
  /** The highest: above it the edge curves in for the shoulders, not an armhole. */
  highest: number;
  /** Where it is taken when no armhole curves in. */
  armholeDefault: number;
  /** Whether the widest point the armhole moves in from is sought from the hem (see armhole). */
  widestFromHem: boolean;
}
const TOP_DEPTH: ArmpitDepth = { lowest: ARMPIT_LOWEST, highest: 0.02, armholeDefault: 0.2, widestFromHem: true };
/**
 * A dress is two to three tops long, and its armpits sit at 8–15 % of its height (about 10 % by eye on the four
 * sleeveless midi dresses of the development sets; a mini dress's would be nearer 15 %): below 25 % is its waist or
 * skirt, and two of the four curve in for the shoulders 2 % below their tops.
 */
const DRESS_DEPTH: ArmpitDepth = { lowest: 0.25, highest: 0.06, armholeDefault: 0.12, widestFromHem: false };
/** A torso side more than 20 % wider than the other has taken in part of a sleeve or a drape. */
const SIDE_ASYMMETRY = 1.2;

export interface Armpits {
  /** Armpit rows, left and right. */
  jl: number;
  jr: number;
  /** The torso's side lines. */
  leftX: number;
  rightX: number;
  /** The armpits' mean row (or a hanging sleeve's typical depth). */
  armpitY: number;
  /** Whether the jump was found at cuff height (sleeves hanging against the body). */
  hanging: boolean;
}

function startRow(o: Outline): number {
  return Math.round(o.yHem - o.H * START_ABOVE_HEM);
}

/**
 * The row where `edge` (sign −1: the left edge, +1: the right) jumps outwards going up and stays out, or −1; the
 * search starts at the hem, or at row `from` when given. The armpit is where the outward run starts: walk down while
 * the edge is still moving out.
 */
function findJump(o: Outline, edge: Float64Array, sign: number, from = Number.POSITIVE_INFINITY): number {
  const { y0, H, W } = o;
  const jumpT = Math.max(4, W * JUMP_WIDTH);
  const win = Math.max(4, Math.round(H * SLOPE_WINDOW));
  for (let y = Math.min(startRow(o) - win, Math.floor(from)); y > y0 + H * STOP_BELOW_TOP; y--) {
    const below = edge[y + win];
    const here = edge[y];
    if (below === undefined || here === undefined || Number.isNaN(below) || Number.isNaN(here)) continue;
    if ((here - below) * sign <= win * SLEEVE_SLOPE) continue;
    const above: number[] = [];
    for (let yy = y; yy > Math.max(y0, y - H * JUMP_PERSIST); yy--)
      if (!Number.isNaN(edge[yy]!)) above.push(edge[yy]! * sign);
    above.sort((p, q) => p - q);
    const med = above[above.length >> 1];
    if (med === undefined || med - below * sign <= jumpT) continue;
    let yy = y;
    while (yy < y + win && (edge[yy]! - edge[yy + 1]!) * sign > STILL_MOVING) yy++;
    return yy;
  }
  return -1;
}

/** A hanging sleeve shows as a separate run beside the torso below the jump (the gap between arm and body). */
function gapBelow(o: Outline, y: number, sign: number): boolean {
  let rows = 0;
  let withGap = 0;
  for (let yy = y + Math.max(2, Math.round(o.H * GAP_SKIP)); yy < Math.min(o.yHem, y + o.H * GAP_WINDOW); yy++) {
    const runs = rowRuns(o.core, yy);
    const cr = centralRun(runs, o.cx);
    if (!cr) continue;
    rows++;
    if (runs.some((r) => (sign < 0 ? r.b < cr.a : r.a > cr.b))) withGap++;
  }
  return rows > 0 && withGap / rows > GAP_ROWS;
}

/** The torso's side line just below row y: the median edge over the next 2–8 rows. */
function edgeBelow(o: Outline, edge: Float64Array, y: number): number {
  const vals: number[] = [];
  for (let k = 2; k <= 8; k++) {
    const v = edge[Math.min(o.yHem, y + k)];
    if (v !== undefined && !Number.isNaN(v)) vals.push(v);
  }
  vals.sort((a, b) => a - b);
  return vals[vals.length >> 1] ?? o.cx;
}

/**
 * Sleeveless side: the armhole curves inward going up; the armpit is where the edge has moved in from its widest. A
 * top's widest is measured from the hem (its body); a dress's only from the lowest row its armpits can be at: an
 * A-line or gathered skirt narrowing up to the waist moves in from its hem by more than an armhole does, so the
 * sleeveless dresses' armpits were found halfway down their skirts and their bodices stretched down to the hips.
 */
function armhole(o: Outline, edge: Float64Array, sign: number, depth: ArmpitDepth): number {
  const { y0, H, W } = o;
  const lowest = y0 + H * depth.lowest;
  let widest = Number.NaN;
  for (let y = depth.widestFromHem ? startRow(o) : Math.round(lowest); y > y0 + H * depth.highest; y--) {
    const e = edge[y]!;
    if (Number.isNaN(e)) continue;
    if (Number.isNaN(widest) || (e - widest) * sign > 0) {
      widest = e;
      continue;
    }
    if (y <= lowest && (widest - e) * sign > W * ARMHOLE_IN) return y;
  }
  return Math.round(y0 + H * depth.armholeDefault);
}

/**
 * The armpits and the torso's side lines. With `sleeveless` (from the product's words) no sleeve jump is sought; with
 * `dress` a sleeveless armhole is sought in a dress's proportions.
 */
export function findArmpits(o: Outline, sleeveless: boolean | undefined, dress = false): Armpits {
  const { y0, H, W, L, R, cx } = o;
  const low = y0 + H * ARMPIT_LOWEST;
  const hemZone = y0 + H * HEM_ZONE;
  let jl = findJump(o, L, -1);
  let jr = findJump(o, R, 1);
  // A jump this near the hem with no gap beside it is not a sleeve joining: it is the hem's rounded corner or a
  // flare, found first going up from the hem (the edge moves out fast there). Taken as the armpit, it made the
  // garment's whole sides into sleeves. Look again above it.
  if (jl > hemZone && !gapBelow(o, jl, -1)) jl = findJump(o, L, -1, hemZone);
  if (jr > hemZone && !gapBelow(o, jr, 1)) jr = findJump(o, R, 1, hemZone);
  if (sleeveless) {
    jl = -1;
    jr = -1;
  }
  // Asymmetric detections (a drape, a print touching the outline) are resolved by symmetry: trust the higher-up
  // armpit only when both sides agree, else mirror the side that found a jump.
  if (jl < 0 && jr > 0) jl = jr;
  if (jr < 0 && jl > 0) jr = jl;
  if (jl > 0 && jr > 0 && Math.abs(jl - jr) > H * ARMPIT_AGREE) jl = jr = Math.min(jl, jr);
  // A jump in the lower part with a gap below it is a hanging sleeve's cuff region, not an armpit. The torso edge
  // is then the edge below the jump, and the armpit a typical depth.
  const hanging = jl > low && jr > low && gapBelow(o, jl, -1) && gapBelow(o, jr, 1);
  let leftX: number;
  let rightX: number;
  let armpitY: number;
  if (hanging) {
    leftX = edgeBelow(o, L, jl);
    rightX = edgeBelow(o, R, jr);
    armpitY = y0 + H * HANGING_ARMPIT;
    jl = jr = Math.round(armpitY);
  } else {
    const sides = (depth: ArmpitDepth) => {
      const l = jl < 0 ? armhole(o, L, -1, depth) : jl;
      const r = jr < 0 ? armhole(o, R, 1, depth) : jr;
      return { l, r, lx: edgeBelow(o, L, l), rx: edgeBelow(o, R, r) };
    };
    let s = sides(dress ? DRESS_DEPTH : TOP_DEPTH);
    // A one-shoulder dress's diagonal neckline cuts its top rows short of one side: side lines found there, on the
    // wrong side of the centre or close to it, are not the body's, and it is read as a top is.
    const minHalf = W * DRESS_MIN_HALF_WIDTH;
    if (dress && (cx - s.lx < minHalf || s.rx - cx < minHalf)) s = sides(TOP_DEPTH);
    jl = s.l;
    jr = s.r;
    leftX = s.lx;
    rightX = s.rx;
    armpitY = (jl + jr) / 2;
  }
  // Torso half-widths should match (garments are photographed symmetric); a side much wider than the other has
  // taken in part of a sleeve or a drape: use the narrower one, mirrored.
  const hwL = cx - leftX;
  const hwR = rightX - cx;
  if (hwL > hwR * SIDE_ASYMMETRY) leftX = cx - hwR;
  else if (hwR > hwL * SIDE_ASYMMETRY) rightX = cx + hwL;
  return { jl, jr, leftX, rightX, armpitY, hanging };
}
