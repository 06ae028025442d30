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
import { type BinaryMask, maskBounds } from '../raster/mask.js';
import { open } from '../raster/morphology.js';

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
    if (Math.hypot(x - root.x, y - root.y) >= maxD * 0.9) {
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
      const score = (x - cx) * sign - 0.6 * (y - y0);
      if (score > bestScore) {
        bestScore = score;
        best = { x, y };
      }
    }
  }
  return best;
}

interface Run {
  a: number;
  b: number;
}

function rowRuns(m: BinaryMask, y: number): Run[] {
  const runs: Run[] = [];
  const { width: w, data } = m;
  let x = 0;
  while (x < w) {
    while (x < w && !data[y * w + x]) x++;
    if (x >= w) break;
    const a = x;
    while (x < w && data[y * w + x]) x++;
    runs.push({ a, b: x - 1 });
  }
  return runs;
}

function centralRun(runs: Run[], cx: number): Run | null {
  let best: Run | null = null;
  let bestD = Number.POSITIVE_INFINITY;
  for (const r of runs) {
    const d = cx < r.a ? r.a - cx : cx > r.b ? cx - r.b : 0;
    if (d < bestD) {
      bestD = d;
      best = r;
    }
  }
  return best;
}

/**
 * Finds landmarks on a garment mask (upper garments and dresses). Returns null when the mask is empty. With
 * `sleeveless` (from the product's words), sleeve detection is skipped: straps and drapes then stay torso.
 */
export function findLandmarks(mask: BinaryMask, options: { sleeveless?: boolean } = {}): GarmentLandmarks | null {
  const { width: w, height: h } = mask;
  // Trim appendages thinner than ~4 % of the garment's size (straps, ties, hanger loops, drawstrings).
  const outer = maskBounds(mask);
  if (!outer) return null;
  const [bx0, by0, bx1, by1] = outer;
  const size = Math.max(bx1 - bx0, by1 - by0);
  const core = largestComponent(open(mask, Math.max(2, size * 0.02))).mask;

  const bounds = maskBounds(core);
  if (!bounds) return null;
  const [x0, y0, x1, y1] = bounds;
  const H = y1 - y0 + 1;
  const W = x1 - x0 + 1;

  // Symmetry axis: median of outer-span midpoints over the upper 40 % (collar and shoulders are the most symmetric
  // part; hems may be asymmetric, e.g. a draped dress).
  const mids: number[] = [];
  for (let y = y0; y < y0 + H * 0.4; y++) {
    const runs = rowRuns(core, y);
    if (runs.length > 0) mids.push((runs[0]!.a + runs[runs.length - 1]!.b) / 2);
  }
  mids.sort((a, b) => a - b);
  const cx = mids.length > 0 ? mids[mids.length >> 1]! : (x0 + x1) / 2;

  // Central run per row.
  const L = new Float64Array(h).fill(Number.NaN);
  const R = new Float64Array(h).fill(Number.NaN);
  for (let y = y0; y <= y1; y++) {
    const run = centralRun(rowRuns(core, y), cx);
    if (run) {
      L[y] = run.a;
      R[y] = run.b;
    }
  }
  // Hem: the lowest row where the central run spans the axis.
  let yHem = y1;
  while (yHem > y0 && !(L[yHem]! <= cx && R[yHem]! >= cx)) yHem--;

  // Follow each side edge upward from just above the hem. A sleeve joining the torso moves the edge outward faster
  // than a torso side does (torso sides are near-vertical, < 0.5 px per row; a sleeve's underside is at most ~45°,
  // ≥ 1 px per row, and a gap closing beside a hanging sleeve is a step). The excursion must persist: the edge stays
  // out by ≥ 5 % of the width over the next 8 % of the height, which rejects lumpy outlines (crochet flowers, ruffles).
  const jumpT = Math.max(4, W * 0.05);
  const startY = Math.round(yHem - H * 0.03);
  const win = Math.max(4, Math.round(H * 0.012));
  const findJump = (edge: Float64Array, sign: number): number => {
    for (let y = startY - win; y > y0 + H * 0.05; y--) {
      const below = edge[y + win];
      const here = edge[y];
      if (below === undefined || here === undefined || Number.isNaN(below) || Number.isNaN(here)) continue;
      if ((here - below) * sign <= win * 1.0) continue;
      const above: number[] = [];
      for (let yy = y; yy > Math.max(y0, y - H * 0.08); yy--)
        if (!Number.isNaN(edge[yy]!)) above.push(edge[yy]! * sign);
      above.sort((p, q) => p - q);
      const med = above[above.length >> 1];
      if (med === undefined || med - below * sign <= jumpT) continue;
      // The armpit is where the outward run starts: walk down while the edge is still moving out.
      let yy = y;
      while (yy < y + win && (edge[yy]! - edge[yy + 1]!) * sign > 0.5) yy++;
      return yy;
    }
    return -1;
  };
  // A hanging sleeve shows as a separate run beside the torso below the jump (the gap between arm and body).
  const gapBelow = (y: number, sign: number): boolean => {
    let rows = 0;
    let withGap = 0;
    for (let yy = y + 2; yy < Math.min(yHem, y + H * 0.12); yy++) {
      const runs = rowRuns(core, yy);
      const cr = centralRun(runs, cx);
      if (!cr) continue;
      rows++;
      if (runs.some((r) => (sign < 0 ? r.b < cr.a : r.a > cr.b))) withGap++;
    }
    return rows > 0 && withGap / rows > 0.5;
  };
  let jl = findJump(L, -1);
  let jr = findJump(R, 1);
  // Asymmetric detections (a drape, a print touching the outline) are resolved by symmetry: trust the higher-up
  // armpit only when both sides agree within 10 % of the height, else mirror the side that found a jump.
  if (options.sleeveless) {
    jl = -1;
    jr = -1;
  }
  if (jl < 0 && jr > 0) jl = jr;
  if (jr < 0 && jl > 0) jr = jl;
  if (jl > 0 && jr > 0 && Math.abs(jl - jr) > H * 0.12) jl = jr = Math.min(jl, jr);
  // A jump in the lower part with a gap below it is a hanging sleeve's cuff region, not an armpit (armpits sit at
  // 20–45 % of a top's height). The torso edge is then the edge below the jump, and the armpit a typical depth.
  const hanging = jl > y0 + H * 0.45 && jr > y0 + H * 0.45 && gapBelow(jl, -1) && gapBelow(jr, 1);
  const edgeBelow = (edge: Float64Array, y: number): number => {
    const vals: number[] = [];
    for (let k = 2; k <= 8; k++) {
      const v = edge[Math.min(yHem, y + k)];
      if (v !== undefined && !Number.isNaN(v)) vals.push(v);
    }
    vals.sort((a, b) => a - b);
    return vals[vals.length >> 1] ?? cx;
  };

  let leftX: number;
  let rightX: number;
  let armpitY: number;
  if (hanging) {
    leftX = edgeBelow(L, jl);
    rightX = edgeBelow(R, jr);
    armpitY = y0 + H * 0.3;
    jl = jr = Math.round(armpitY);
  } else {
    // Sleeveless side: the armhole curves inward going up; the armpit is where the edge has moved in by 4 % of the
    // width from its widest point below the upper 55 %.
    const armhole = (edge: Float64Array, sign: number): number => {
      let widest = Number.NaN;
      for (let y = startY; y > y0 + H * 0.02; y--) {
        const e = edge[y]!;
        if (Number.isNaN(e)) continue;
        if (y > y0 + H * 0.45) {
          if (Number.isNaN(widest) || (e - widest) * sign > 0) widest = e;
          continue;
        }
        if (Number.isNaN(widest)) widest = e;
        if ((widest - e) * sign > W * 0.04) return y;
        if ((e - widest) * sign > 0) widest = e;
      }
      return Math.round(y0 + H * 0.2);
    };
    if (jl < 0) jl = armhole(L, -1);
    if (jr < 0) jr = armhole(R, 1);
    leftX = edgeBelow(L, jl);
    rightX = edgeBelow(R, jr);
    armpitY = (jl + jr) / 2;
  }
  // Torso half-widths should match (garments are photographed symmetric); a side more than 20 % wider has taken in
  // part of a sleeve or a drape: use the narrower one, mirrored.
  const hwL = cx - leftX;
  const hwR = rightX - cx;
  if (hwL > hwR * 1.2) leftX = cx - hwR;
  else if (hwR > hwL * 1.2) rightX = cx + hwL;

  // Part map on the full mask: torso between the side lines (and below the armpit, the central run only).
  const parts = new Uint8Array(w * h);
  let areaL = 0;
  let areaR = 0;
  for (let y = 0; y < h; y++) {
    const cr = y > armpitY && !hanging ? centralRun(rowRuns(mask, y), cx) : null;
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

  // Keep only the largest connected piece of each sleeve; stray bits (a side slit, a label) go back to the torso.
  for (const part of [2, 3]) {
    const sel = new Uint8Array(w * h);
    for (let i = 0; i < sel.length; i++) sel[i] = parts[i] === part ? 1 : 0;
    const { mask: keep, size } = largestComponent({ data: sel, width: w, height: h });
    for (let i = 0; i < sel.length; i++) if (sel[i] && !keep.data[i]) parts[i] = 1;
    if (part === 2) areaL = size;
    else areaR = size;
  }

  const topAt = (x: number): number => {
    const xi = Math.round(Math.min(w - 1, Math.max(0, x)));
    for (let y = y0; y <= y1; y++) if (core.data[y * w + xi]) return y;
    return y0;
  };
  const minSleeve = W * H * 0.012;
  // Sleeveless by the words: what lies outside the side lines is a strap, a drape or a shoulder panel, and is warped
  // with the torso (as a sleeve it was bent down the arm: the one-shoulder dress's shoulder panel ran down the arm).
  const hasLeft = !options.sleeveless && areaL > minSleeve;
  const hasRight = !options.sleeveless && areaR > minSleeve;
  if (options.sleeveless) for (let i = 0; i < parts.length; i++) if (parts[i]! > 1) parts[i] = 1;

  // Shoulders: for a sleeved side, the top contour at the torso side line (the shoulder seam); for a sleeveless
  // side, the outermost high point of the strap (maximise outward offset minus a penalty for dropping).
  const sleevelessShoulder = (sign: number): Point =>
    strapCorner(core.data, w, [x0, y0, x1], Math.min(armpitY, y0 + H * 0.35), cx, sign);
  const shoulderLeft = hasLeft ? { x: leftX, y: topAt(leftX) } : sleevelessShoulder(-1);
  const shoulderRight = hasRight ? { x: rightX, y: topAt(rightX) } : sleevelessShoulder(1);
  const neck = { x: cx, y: topAt(cx) };

  const hemY = Math.round(yHem - H * 0.01);
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
