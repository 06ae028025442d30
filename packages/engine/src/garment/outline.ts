/**
 * A garment mask's outline, row by row: appendages trimmed, the symmetry axis, the central run's side edges per row,
 * and the hem. The landmark stages (armpits.ts, landmarks.ts) read the garment from it.
 */
import { largestComponent } from '../raster/components.js';
import { type BinaryMask, maskBounds } from '../raster/mask.js';
import { open } from '../raster/morphology.js';

/** Appendages thinner than ~4 % of the garment's size are trimmed: an opening of radius 2 % of it. */
const TRIM_SHARE = 0.02;
/** The symmetry axis is measured over the upper 40 % (collar and shoulders; hems may be asymmetric, a drape). */
const AXIS_BAND = 0.4;

export interface Run {
  a: number;
  b: number;
}

export function rowRuns(m: BinaryMask, y: number): Run[] {
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

export function centralRun(runs: Run[], cx: number): Run | null {
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

export interface Outline {
  /** The mask with thin appendages trimmed (its largest piece). */
  core: BinaryMask;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** The core's width and height. */
  W: number;
  H: number;
  /** Symmetry axis x. */
  cx: number;
  /** Per row: the central run's left and right edge (NaN where the row is empty). */
  L: Float64Array;
  R: Float64Array;
  /** The lowest row where the central run spans the axis. */
  yHem: number;
}

/** The outline of a garment mask; null when the mask (or what is left after trimming) is empty. */
export function traceOutline(mask: BinaryMask): Outline | null {
  const { height: h } = mask;
  // Trim appendages thinner than ~4 % of the garment's size (straps, ties, hanger loops, drawstrings).
  const outer = maskBounds(mask);
  if (!outer) return null;
  const [bx0, by0, bx1, by1] = outer;
  const size = Math.max(bx1 - bx0, by1 - by0);
  const core = largestComponent(open(mask, Math.max(2, size * TRIM_SHARE))).mask;

  const bounds = maskBounds(core);
  if (!bounds) return null;
  const [x0, y0, x1, y1] = bounds;
  const H = y1 - y0 + 1;
  const W = x1 - x0 + 1;

  // Symmetry axis: median of outer-span midpoints over the upper band (collar and shoulders are the most symmetric
  // part; hems may be asymmetric, e.g. a draped dress).
  const mids: number[] = [];
  for (let y = y0; y < y0 + H * AXIS_BAND; y++) {
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
  return { core, x0, y0, x1, y1, W, H, cx, L, R, yHem };
}
