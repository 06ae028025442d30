/**
 * What a shopper sees at thumbnail size, measured on a try-on's result against the person photo: blocky fills (the
 * old garment repainted as flat, square, hard-edged blocks) and arms the new garment was drawn over. The result
 * criteria (result-checks.ts) refuse on them, and the quality run reports them per pair (quality/metrics.ts).
 * Neither is circular: both read the result's pixels against the photo's; the residue fill's mask only says where
 * the engine repainted (blockiness), and the arms are the person's keypoints, not the parsing's arm masks the engine
 * keeps arms in front with (armsCovered).
 */

import type { BodyFrame } from '../body/frame.js';
import type { GarmentClass, SleeveLength } from '../garment/classify.js';
import { components } from '../raster/components.js';
import type { P } from '../raster/draw.js';
import { type BinaryMask, type Box, countMask, maskBounds } from '../raster/mask.js';
import { dilate, squareMorph } from '../raster/morphology.js';
import type { RawImage } from '../vision/types.js';

/** The tile a result is judged at (the contact sheets' thumbnail): the image fits inside it. */
const THUMB_W = 192;
const THUMB_H = 256;

/** One cell of the thumbnail grid: the mean of k×k full-resolution pixels. */
interface CellGrid {
  /** Full-resolution pixels per cell side. */
  k: number;
  /** The grid's top-left corner in full-resolution pixels (a multiple of k). */
  ox: number;
  oy: number;
  gw: number;
  gh: number;
  /** Mean RGB per cell (3 per cell) of the result and of the person photo. */
  res: Float32Array;
  per: Float32Array;
  /** Share of the cell repainted by the residue fill; mean garment alpha; share inside the silhouette. */
  fill: Float32Array;
  alpha: Float32Array;
  sil: Float32Array;
}

/**
 * The thumbnail grid over the window `win` (full-resolution pixels, inclusive) only: cells are aligned to the
 * whole image's grid, so a cell is the same thumbnail pixel whatever the window.
 */
function cellGrid(
  person: RawImage,
  result: RawImage,
  filled: BinaryMask,
  alpha: Float32Array,
  silhouette: BinaryMask,
  k: number,
  [x0, y0, x1, y1]: Box,
): CellGrid {
  const w = person.width;
  const ox = Math.floor(x0 / k) * k;
  const oy = Math.floor(y0 / k) * k;
  const gw = Math.max(0, Math.floor((Math.min(x1 + 1, Math.floor(w / k) * k) - ox) / k));
  const gh = Math.max(0, Math.floor((Math.min(y1 + 1, Math.floor(person.height / k) * k) - oy) / k));
  const cells = gw * gh;
  // Integer sums per cell, then one division: this is the metric's only pass over every pixel.
  const resSum = new Uint32Array(cells * 3);
  const perSum = new Uint32Array(cells * 3);
  const fillSum = new Uint32Array(cells);
  const silSum = new Uint32Array(cells);
  const alSum = new Float32Array(cells);
  const rc = result.channels;
  const pc = person.channels;
  const rd = result.data;
  const pd = person.data;
  for (let y = 0; y < gh * k; y++) {
    const row = (oy + y) * w + ox;
    const c0 = ((y / k) | 0) * gw;
    for (let cx = 0; cx < gw; cx++) {
      const c = c0 + cx;
      let r0 = 0;
      let r1 = 0;
      let r2 = 0;
      let p0 = 0;
      let p1 = 0;
      let p2 = 0;
      let f = 0;
      let s = 0;
      let a = 0;
      for (let p = row + cx * k, end = p + k; p < end; p++) {
        r0 += rd[p * rc]!;
        r1 += rd[p * rc + 1]!;
        r2 += rd[p * rc + 2]!;
        p0 += pd[p * pc]!;
        p1 += pd[p * pc + 1]!;
        p2 += pd[p * pc + 2]!;
        f += filled.data[p]!;
        s += silhouette.data[p]!;
        a += alpha[p]!;
      }
      resSum[c * 3]! += r0;
      resSum[c * 3 + 1]! += r1;
      resSum[c * 3 + 2]! += r2;
      perSum[c * 3]! += p0;
      perSum[c * 3 + 1]! += p1;
      perSum[c * 3 + 2]! += p2;
      fillSum[c]! += f;
      silSum[c]! += s;
      alSum[c]! += a;
    }
  }
  const inv = 1 / (k * k);
  const res = new Float32Array(cells * 3);
  const per = new Float32Array(cells * 3);
  const fill = new Float32Array(cells);
  const al = new Float32Array(cells);
  const sil = new Float32Array(cells);
  for (let i = 0; i < cells * 3; i++) {
    res[i] = resSum[i]! * inv;
    per[i] = perSum[i]! * inv;
  }
  for (let c = 0; c < cells; c++) {
    fill[c] = fillSum[c]! * inv;
    al[c] = alSum[c]! * inv;
    sil[c] = silSum[c]! * inv;
  }
  return { k, ox, oy, gw, gh, res, per, fill, alpha: al, sil };
}

/**
 * Texture at thumbnail scale: the RGB standard deviation (levels, mean over channels) of the 3×3 cells round each
 * cell, counting only cells `use` accepts (all when null); NaN where fewer than 4 are accepted.
 */
function cellTexture(rgb: Float32Array, gw: number, gh: number, use: Uint8Array | null): Float32Array {
  const out = new Float32Array(gw * gh).fill(Number.NaN);
  for (let y = 0; y < gh; y++) {
    for (let x = 0; x < gw; x++) {
      let n = 0;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let q0 = 0;
      let q1 = 0;
      let q2 = 0;
      for (let yy = Math.max(0, y - 1); yy <= Math.min(gh - 1, y + 1); yy++) {
        for (let xx = Math.max(0, x - 1); xx <= Math.min(gw - 1, x + 1); xx++) {
          const c = yy * gw + xx;
          if (use && !use[c]) continue;
          n++;
          const v0 = rgb[c * 3]!;
          const v1 = rgb[c * 3 + 1]!;
          const v2 = rgb[c * 3 + 2]!;
          s0 += v0;
          s1 += v1;
          s2 += v2;
          q0 += v0 * v0;
          q1 += v1 * v1;
          q2 += v2 * v2;
        }
      }
      if (n < 4) continue;
      const sd = (s: number, q: number) => Math.sqrt(Math.max(0, q / n - (s / n) ** 2));
      out[y * gw + x] = (sd(s0, q0) + sd(s1, q1) + sd(s2, q2)) / 3;
    }
  }
  return out;
}

/** The q-quantile (0..1, lower) of v, NaN when empty; sorts v in place. */
function quantile(v: number[], q: number): number {
  if (v.length === 0) return Number.NaN;
  v.sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.floor(v.length * q))]!;
}
const medianOf = (v: number[]) => quantile(v, 0.5);

/** Largest per-channel difference between two cells' mean colours. */
function cellContrast(rgb: Float32Array, a: number, b: number): number {
  return Math.max(
    Math.abs(rgb[a * 3]! - rgb[b * 3]!),
    Math.abs(rgb[a * 3 + 1]! - rgb[b * 3 + 1]!),
    Math.abs(rgb[a * 3 + 2]! - rgb[b * 3 + 2]!),
  );
}

/**
 * A pair is blocky when its blocky patches cover this share of the silhouette. Calibrated against a judgement by eye
 * of the development sets' results (docs/quality.md, "Blocky fills and covered arms"): 5 % agreed best, 358 of 401
 * judged pairs (345 at 3 %, where arms continued under old sleeves and mild strips start to count).
 */
export const BLOCKY_SHARE = 0.05;
/** A repainted cell is changed when its mean colour moved by at least this (levels, largest channel). */
const BLOCK_CHANGED = 8;
/** Smallest patch that shows at thumbnail size (cells: about 8×8 px of the 192×256 tile). */
const BLOCK_MIN_CELLS = 64;
/** A repainted cell is a flat candidate under this texture (levels). */
const BLOCK_FLAT_TEX = 2.5;
/** Flat: the patch's texture (median) under this share of the photo's, both there and in the visible body round it. */
const BLOCK_FLAT_RATIO = 0.5;
/** The ring round a patch whose visible photo is "around it" (cells). */
const BLOCK_RING = 4;
/** A boundary step is a hard edge when the result's colour jumps by this much across it (levels, per channel) … */
const BLOCK_HARD_STEP = 20;
/** … and the photo's step at the same place is under this share of it (the edge was not in the photo). */
const BLOCK_NEW_EDGE = 0.5;
/** Straight: a run of hard edge steps along one row or column at least this long (cells) … */
const BLOCK_STRAIGHT_RUN = 5;
/** … and such runs totalling at least this (cells: two sides of a 8×8 px block at thumbnail size). */
const BLOCK_STRAIGHT_TOTAL = 10;
/** A slab: a patch this large (cells: 2–5 % of the development sets' silhouettes) … */
const BLOCK_SLAB_CELLS = 500;
/** … this uniform (levels) is paint whatever the photo had there. */
const BLOCK_SLAB_TEX = 1;

export interface BlockyPatch {
  /** Cells of the thumbnail grid (one cell = one thumbnail pixel). */
  cells: number;
  /** Bounding box in full-resolution pixels [x0, y0, x1, y1]. */
  box: [number, number, number, number];
  /** The patch's texture (median), the photo's there (same cells) and in the visible body round it (medians). */
  texture: number;
  photoThere: number;
  photoAround: number;
  /** Hard new edge steps in straight axis-aligned runs (cells), and the share of hard new steps on its boundary. */
  straightHard: number;
  hardShare: number;
  /** Which tests it failed: flat against the photo, a large uniform slab, bounded by straight new hard edges. */
  flat: boolean;
  slab: boolean;
  boxed: boolean;
  blocky: boolean;
}

export interface Blockiness {
  /** Blocky patches' area as a share of the person's silhouette (0 = none). */
  share: number;
  /** Blocky patches. */
  count: number;
  /** share ≥ BLOCKY_SHARE: a person looking at the thumbnail sees blocks. */
  blocky: boolean;
  /** Every large repainted patch, blocky or not (for diagnostics). */
  patches: BlockyPatch[];
}

/** Cells of `labels` equal to `l`, as a mask, with their bounding box. */
function patchMask(labels: Int32Array, l: number, gw: number, gh: number) {
  const mask: BinaryMask = { data: new Uint8Array(gw * gh), width: gw, height: gh };
  let [x0, y0, x1, y1] = [gw, gh, 0, 0];
  for (let c = 0; c < labels.length; c++) {
    if (labels[c] !== l) continue;
    mask.data[c] = 1;
    const x = c % gw;
    const y = (c / gw) | 0;
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  }
  return { mask, box: [x0, y0, x1, y1] as [number, number, number, number] };
}

/**
 * The patch's hard new edges: boundary steps to a cell that is neither the patch nor the new garment, read two cells
 * out (the cell just past the boundary may straddle the edge), where the result's colour jumps by BLOCK_HARD_STEP
 * and the photo's by less than BLOCK_NEW_EDGE of that. Returns the steps in straight axis-aligned runs of
 * BLOCK_STRAIGHT_RUN or more, and the share of hard steps among all boundary steps.
 */
function hardEdges(g: CellGrid, mask: BinaryMask, [x0, y0, x1, y1]: [number, number, number, number]) {
  const { gw, gh } = g;
  let steps = 0;
  let hard = 0;
  // Keys of hard steps per direction (below, above, right, left of a patch cell): a run is consecutive keys.
  const runs: number[][] = [[], [], [], []];
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const c = y * gw + x;
      if (!mask.data[c]) continue;
      const far = [y + 2 < gh ? c + 2 * gw : -1, y > 1 ? c - 2 * gw : -1, x + 2 < gw ? c + 2 : -1, x > 1 ? c - 2 : -1];
      const next = [c + gw, c - gw, c + 1, c - 1];
      for (let d = 0; d < 4; d++) {
        const b = far[d]!;
        const nb = next[d]!;
        if (b < 0 || mask.data[nb] || mask.data[b] || g.alpha[nb]! >= 0.5 || g.alpha[b]! >= 0.5) continue;
        steps++;
        const step = cellContrast(g.res, c, b);
        if (step < BLOCK_HARD_STEP || cellContrast(g.per, c, b) >= step * BLOCK_NEW_EDGE) continue;
        hard++;
        runs[d]!.push(d < 2 ? y * gw + x : x * gh + y);
      }
    }
  }
  let straight = 0;
  for (const keys of runs) {
    keys.sort((a, b) => a - b);
    let len = 0;
    for (let i = 0; i < keys.length; i++) {
      len = i > 0 && keys[i] === keys[i - 1]! + 1 ? len + 1 : 1;
      const ends = i + 1 === keys.length || keys[i + 1] !== keys[i]! + 1;
      if (ends && len >= BLOCK_STRAIGHT_RUN) straight += len;
    }
  }
  return { straight, hardShare: steps > 0 ? hard / steps : 0 };
}

/**
 * Blocky fills: where the composite repainted the old garment, patches a shopper sees at thumbnail size (the 192×256
 * tile) as paint rather than photo: large, flat, square and hard-edged. Judged on the result's pixels against the
 * person photo's; the residue fill's mask (`CompositeResult.filled`) only says where the engine repainted, and none
 * of the fill's own parameters are read, so a better fill scores better only by looking better.
 * 1. The image is cut into cells of k×k pixels, k the thumbnail's scale (4 for 768×1024): one cell is one thumbnail
 *    pixel. A cell is repainted when at least half of it is filled and the new garment covers under half of it.
 * 2. Texture is the colour spread (RGB standard deviation, levels) over a cell's 3×3 neighbours, counting only the
 *    neighbours of the same kind: repainted cells for the fill, in the result and in the photo; the photo's visible
 *    body (neither repainted nor under the new garment) for what lies round it. So an outline is not texture.
 * 3. A repainted cell whose texture in the result is under BLOCK_FLAT_TEX and whose colour (or a neighbour's) moved
 *    by BLOCK_CHANGED levels or more is a flat candidate; connected candidates form a patch, and patches under
 *    BLOCK_MIN_CELLS (about 8×8 thumbnail pixels) are not seen.
 * 4. A patch is blocky when it is any of
 *    - flat: its median texture is under BLOCK_FLAT_RATIO of the photo's both there (the old garment's folds, denim,
 *      print) and in the visible body round it (BLOCK_RING cells): an arm continued under an old sleeve with the
 *      arm's own light and shade is about as smooth as the real arm below it and passes; a uniform patch does not;
 *    - a slab: BLOCK_SLAB_CELLS or more at a texture under BLOCK_SLAB_TEX, whatever the photo had (a flat black
 *      trouser turned into a flat skin-coloured block is no flatter than before, and still reads as paint);
 *    - boxed: bounded by hard edges that were not in the photo (a step of BLOCK_HARD_STEP levels between the patch
 *      and the cell two out, where the photo's step is under BLOCK_NEW_EDGE of that) in axis-aligned runs of
 *      BLOCK_STRAIGHT_RUN cells or more, BLOCK_STRAIGHT_TOTAL in all. Steps onto the new garment do not count: its
 *      own edge (a hem) is meant to be there.
 * `share` is the blocky patches' cells over the silhouette's cells, `count` the blocky patches.
 * Not seen: a garish fill that is not flat (blotches of two colours), a strip under 64 cells, and anything outside
 * the fill (a flat-lay's background kept inside the garment's cut-out is garment, not fill).
 */
export function blockiness(
  person: RawImage,
  result: RawImage,
  filled: BinaryMask,
  alpha: Float32Array,
  silhouette: BinaryMask,
): Blockiness {
  const { width: w, height: h } = person;
  const k = Math.max(1, Math.round(Math.max(w / THUMB_W, h / THUMB_H)));
  // Only the window round what was repainted is read (the ring, and the edge steps two cells out).
  const win = maskBounds(filled, (BLOCK_RING + 3) * k);
  if (!win) return { share: 0, count: 0, blocky: false, patches: [] };
  const g = cellGrid(person, result, filled, alpha, silhouette, k, win);
  const { gw, gh, ox, oy } = g;
  const cells = gw * gh;
  // Repainted: at least half the cell filled, the new garment over less than half of it. Visible body: the photo's
  // person, neither repainted nor under the new garment.
  const repainted = new Uint8Array(cells);
  const visibleBody = new Uint8Array(cells);
  for (let c = 0; c < cells; c++) {
    repainted[c] = g.fill[c]! >= 0.5 && g.alpha[c]! < 0.5 ? 1 : 0;
    visibleBody[c] = !repainted[c] && g.alpha[c]! < 0.5 && g.sil[c]! >= 0.5 ? 1 : 0;
  }
  const resTex = cellTexture(g.res, gw, gh, repainted);
  // Changed: the cell's colour moved, or a neighbour's did (a flat fill that crosses the photo's mean colour at a
  // fold keeps its cells there connected).
  const changed: BinaryMask = { data: new Uint8Array(cells), width: gw, height: gh };
  for (let c = 0; c < cells; c++) changed.data[c] = repainted[c] && cellChange(g, c) >= BLOCK_CHANGED ? 1 : 0;
  const nearChange = squareMorph(changed, 1, 'dilate');
  const flatCells: BinaryMask = { data: new Uint8Array(cells), width: gw, height: gh };
  let any = false;
  for (let c = 0; c < cells; c++) {
    if (repainted[c] && nearChange.data[c] && resTex[c]! < BLOCK_FLAT_TEX) {
      flatCells.data[c] = 1;
      any = true;
    }
  }
  if (!any) return { share: 0, count: 0, blocky: false, patches: [] };
  const perTex = cellTexture(g.per, gw, gh, repainted);
  const aroundTex = cellTexture(g.per, gw, gh, visibleBody);
  const { labels, sizes } = components(flatCells);
  const patches: BlockyPatch[] = [];
  let blockyCells = 0;
  for (let l = 1; l < sizes.length; l++) {
    if (sizes[l]! < BLOCK_MIN_CELLS) continue;
    const { mask, box } = patchMask(labels, l, gw, gh);
    const tex: number[] = [];
    const there: number[] = [];
    const around: number[] = [];
    const ring = dilate(mask, BLOCK_RING);
    for (let c = 0; c < cells; c++) {
      if (mask.data[c]) {
        if (!Number.isNaN(resTex[c]!)) tex.push(resTex[c]!);
        if (!Number.isNaN(perTex[c]!)) there.push(perTex[c]!);
      } else if (ring.data[c] && visibleBody[c] && !Number.isNaN(aroundTex[c]!)) around.push(aroundTex[c]!);
    }
    const texture = medianOf(tex);
    const photoThere = medianOf(there);
    const photoAround = medianOf(around);
    // No visible body round it (a fill surrounded by the new garment and the wall): the photo there decides alone.
    const ref = Number.isNaN(photoAround) ? photoThere : Math.min(photoThere, photoAround);
    const flat = texture < BLOCK_FLAT_RATIO * ref;
    const { straight, hardShare } = hardEdges(g, mask, box);
    const slab = sizes[l]! >= BLOCK_SLAB_CELLS && texture < BLOCK_SLAB_TEX;
    const boxed = straight >= BLOCK_STRAIGHT_TOTAL;
    const blocky = flat || slab || boxed;
    if (blocky) blockyCells += sizes[l]!;
    patches.push({
      cells: sizes[l]!,
      box: [ox + box[0] * k, oy + box[1] * k, ox + (box[2] + 1) * k - 1, oy + (box[3] + 1) * k - 1],
      texture,
      photoThere,
      photoAround,
      straightHard: straight,
      hardShare,
      flat,
      slab,
      boxed,
      blocky,
    });
  }
  // The silhouette's area in cells (thumbnail pixels), over the whole image.
  const silCells = countMask(silhouette) / (k * k);
  const share = silCells > 0 ? blockyCells / silCells : 0;
  return { share, count: patches.filter((p) => p.blocky).length, blocky: share >= BLOCKY_SHARE, patches };
}

/** Largest per-channel difference between the result's and the photo's mean colour in cell c. */
function cellChange(g: CellGrid, c: number): number {
  return Math.max(
    Math.abs(g.res[c * 3]! - g.per[c * 3]!),
    Math.abs(g.res[c * 3 + 1]! - g.per[c * 3 + 1]!),
    Math.abs(g.res[c * 3 + 2]! - g.per[c * 3 + 2]!),
  );
}

/**
 * A pair's arm is covered when this share of its counted samples is, and at least this many (a third of a forearm's
 * samples): calibrated against a by-eye judgement of the development sets' results (docs/quality.md).
 */
export const ARM_COVERED_SHARE = 0.3;
export const ARM_COVERED_MIN = 3;
/** Sample discs along the arm: radius (shoulder widths, at least 2 px), and samples per bone. */
const ARM_SAMPLE_R_SW = 0.04;
const ARM_SAMPLES_PER_BONE = 8;
/** The upper arm is sampled from this share of shoulder → elbow: the shoulder cap is under any garment's armhole. */
const UPPER_FROM = 0.3;
/** The hand: from this share of the forearm's length past the wrist to this share. */
const HAND_FROM = 0.05;
const HAND_TO = 0.3;
const HAND_SAMPLES = 4;
/** A hand sample is on the hand when the photo there is this close to the photo at the wrist (levels, per channel). */
const HAND_MATCH = 35;
/** A sample lies against the body when inside the shoulder–hip quadrilateral, this far in from its sides (sw). */
const ARM_TORSO_INSET_SW = 0;
/** The hips' keypoints moved out by this (sw) for the torso's outline. */
const ARM_HIP_WIDEN_SW = 0.25;
/** A sample is drawn over when the result differs from the photo by this much (mean abs per channel, levels) … */
const ARM_DIFF = 30;
/** … and the new garment's mean alpha over the disc is at least this. */
const ARM_ALPHA = 0.5;

export type ArmPart = 'upper' | 'fore' | 'hand';

export interface ArmSample {
  x: number;
  y: number;
  part: ArmPart;
  diff: number;
  alpha: number;
  covered: boolean;
}

export interface ArmsCovered {
  /** Share of the counted samples the new garment was drawn over (0 when none are counted). */
  share: number;
  /** share ≥ ARM_COVERED_SHARE with at least ARM_COVERED_MIN samples covered. */
  armCovered: boolean;
  /** Counted samples (in front of the body, on parts the garment's sleeves do not cover), and covered ones. */
  counted: number;
  covered: number;
  samples: ArmSample[];
}

/** The arm's parts a garment with `sleeve` may legitimately cover: its own sleeves go there. */
export function sleeveCovers(sleeve: SleeveLength, part: ArmPart): boolean {
  if (part === 'hand') return false;
  if (part === 'upper') return sleeve !== 'none';
  return sleeve === 'long';
}

/** Whether p lies inside the convex quadrilateral q (any winding) at least `inset` px from each side. */
function insideQuad(q: P[], p: P, inset: number): boolean {
  let sign = 0;
  for (let i = 0; i < q.length; i++) {
    const a = q[i]!;
    const b = q[(i + 1) % q.length]!;
    const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
    const cross = ((b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x)) / len;
    if (sign === 0) sign = Math.sign(cross) || 1;
    if (cross * sign < inset) return false;
  }
  return true;
}

/**
 * Arms covered: arms, hands and what they hold in front of the body must stay in front of the new garment. Measured
 * from the person's keypoints (the body frame: shoulders, elbows, wrists, hips by image side) and the pixels, not
 * from the parsing's arm masks the engine keeps arms in front with (that would grade the engine by its own answer):
 * - discs of radius ARM_SAMPLE_R_SW shoulder widths are sampled along each upper arm (from UPPER_FROM of shoulder →
 *   elbow: the shoulder cap lies under any garment's armhole), forearm (elbow → wrist) and hand (HAND_FROM to
 *   HAND_TO of the forearm's length past the wrist, where a hand and what it holds lie; a hand sample counts only
 *   where the photo looks like the wrist, since a hand bent at the wrist leaves that line);
 * - a sample counts when it lies against or in front of the body: inside the quadrilateral of the shoulder and hip
 *   keypoints with the hips moved out by ARM_HIP_WIDEN_SW shoulder widths (the hip keypoints are the joints, well
 *   inside the body's outline); for a dress also hips → knees, for a bottom only waist → knees. A forearm hanging
 *   against the body's side falls in it; an arm held away from the body does not;
 * - a counted sample is covered when the result differs markedly from the photo there (mean ≥ ARM_DIFF levels) and
 *   the new garment's alpha over it is high (≥ ARM_ALPHA): the garment was drawn over the arm. An arm erased by the
 *   residue fill (low alpha) is not counted here; blockiness sees the fill.
 * What "covered" means depends on the sleeves (`sleeveCovers`): the garment may cover the parts its own sleeves go
 * on. Sleeveless, nothing of the arm may be covered. A short sleeve (a tee) covers the upper arm, so forearm and hand
 * count. A long sleeve covers the forearm too: drawn along the arm, even across the body, it looks like an arm in a
 * sleeve, which no pixel test can tell from a body panel drawn over the arm, so only the hand counts. An arm hanging
 * at the side in a long sleeve is therefore never held against the garment, and neither is any garment's sleeve on
 * the upper arm; the sleeve length is the garment's classification (`GarmentAnalysis.cls.sleeve`).
 * Keypoints under MoveNet's score threshold are absent from the frame: their bones are not sampled, and a pair with
 * no counted sample scores 0.
 */
export function armsCovered(
  person: RawImage,
  result: RawImage,
  alpha: Float32Array,
  frame: BodyFrame,
  cls: Pick<GarmentClass, 'category' | 'sleeve'>,
): ArmsCovered {
  const { width: w, height: h, channels: ch } = person;
  const sw = frame.shoulderWidth;
  const r = Math.max(2, sw * ARM_SAMPLE_R_SW);
  const kneeOr = (k: P | null, hip: P): P => k ?? { x: hip.x, y: hip.y + sw * 1.2 };
  const lKnee = kneeOr(frame.lKnee, frame.lHip);
  const rKnee = kneeOr(frame.rKnee, frame.rHip);
  const waist = (hip: P, s: P): P => ({ x: hip.x + (s.x - hip.x) * 0.2, y: hip.y + (s.y - hip.y) * 0.2 });
  // The hip keypoints are the hip joints, well inside the body's outline: the torso is widened there.
  const out = (p: P, sign: number): P => ({ x: p.x + sign * sw * ARM_HIP_WIDEN_SW, y: p.y });
  const torso = [frame.lShoulder, frame.rShoulder, out(frame.rHip, 1), out(frame.lHip, -1)];
  const legs = [waist(frame.lHip, frame.lShoulder), waist(frame.rHip, frame.rShoulder), rKnee, lKnee];
  const zones =
    cls.category === 'upper'
      ? [torso]
      : cls.category === 'dress'
        ? [torso, [frame.lHip, frame.rHip, rKnee, lKnee]]
        : [legs];
  const inset = sw * ARM_TORSO_INSET_SW;
  const inFront = (p: P) => zones.some((z) => insideQuad(z, p, inset));
  // Mean photo colour, mean |result − photo| and mean garment alpha over the disc round c.
  const disc = (c: P) => {
    let n = 0;
    let diff = 0;
    let al = 0;
    const rgb = [0, 0, 0];
    for (let y = Math.max(0, Math.ceil(c.y - r)); y <= Math.min(h - 1, Math.floor(c.y + r)); y++) {
      for (let x = Math.max(0, Math.ceil(c.x - r)); x <= Math.min(w - 1, Math.floor(c.x + r)); x++) {
        if ((x - c.x) ** 2 + (y - c.y) ** 2 > r * r) continue;
        const p = y * w + x;
        n++;
        al += alpha[p]!;
        for (let j = 0; j < 3; j++) {
          rgb[j]! += person.data[p * ch + j]!;
          diff += Math.abs(result.data[p * ch + j]! - person.data[p * ch + j]!);
        }
      }
    }
    if (n === 0) return null;
    return { diff: diff / (n * 3), alpha: al / n, rgb: rgb.map((v) => v / n) };
  };
  const samples: ArmSample[] = [];
  const along = (
    a: P,
    b: P,
    part: ArmPart,
    t0: number,
    t1: number,
    count: number,
    onArm?: (rgb: number[]) => boolean,
  ) => {
    if (sleeveCovers(cls.sleeve, part)) return;
    for (let i = 0; i < count; i++) {
      const t = t0 + ((t1 - t0) * (i + 0.5)) / count;
      const c = { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t };
      if (!inFront(c)) continue;
      const d = disc(c);
      if (!d || (onArm && !onArm(d.rgb))) continue;
      const covered = d.diff >= ARM_DIFF && d.alpha >= ARM_ALPHA;
      samples.push({ x: c.x, y: c.y, part, diff: d.diff, alpha: d.alpha, covered });
    }
  };
  const sides: Array<[P, P | null, P | null]> = [
    [frame.lShoulder, frame.lElbow, frame.lWrist],
    [frame.rShoulder, frame.rElbow, frame.rWrist],
  ];
  for (const [s, e, wr] of sides) {
    if (e) along(s, e, 'upper', UPPER_FROM, 1, ARM_SAMPLES_PER_BONE);
    if (!e || !wr) continue;
    along(e, wr, 'fore', 0, 1, ARM_SAMPLES_PER_BONE);
    // The hand's direction is the forearm's only while the wrist is straight: a hand bent onto a hip lies off that
    // line. A sample past the wrist counts only where the photo looks like the wrist (skin, or the cuff).
    const atWrist = disc(wr)?.rgb;
    if (!atWrist) continue;
    const likeWrist = (rgb: number[]) => rgb.every((v, j) => Math.abs(v - atWrist[j]!) < HAND_MATCH);
    along(e, wr, 'hand', 1 + HAND_FROM, 1 + HAND_TO, HAND_SAMPLES, likeWrist);
  }
  const covered = samples.filter((s) => s.covered).length;
  const share = samples.length ? covered / samples.length : 0;
  const armCovered = share >= ARM_COVERED_SHARE && covered >= ARM_COVERED_MIN;
  return { share, armCovered, counted: samples.length, covered, samples };
}
