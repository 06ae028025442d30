/**
 * Cutting a garment off a model (product photos worn by a person). The person pipeline runs on the product photo
 * itself; the garment is what is left of the person once everything that is the model (face, hair, neck, bare arms,
 * hands and legs, the other garment) is taken away. Subtracting is more robust than growing the garment by colour:
 * crochet, zigzag knits and prints have no single colour to grow from.
 */
import { type BodyFrame, bodyFrame } from '../body/frame.js';
import { type PersonParsing, parsePerson } from '../body/parsing.js';
import { CHIN_ABOVE_SHOULDERS_SW } from '../body/proportions.js';
import { EngineError } from '../engine.js';
import { labPlanes, upperMedian } from '../raster/colour.js';
import { components, fillHoles } from '../raster/components.js';
import { drawPolygon } from '../raster/draw.js';
import { and, andNot, type BinaryMask, countMask, emptyMask } from '../raster/mask.js';
import { close, dilate, open } from '../raster/morphology.js';
import type { PersonDetection, RawImage } from '../vision/types.js';
import { type Lab, type Model, modelSkin, skinOpenings, withoutBareArms } from './on-model-skin.js';

/** Hem notches: from this far above the hips down … */
const NOTCH_ABOVE_HIPS_SW = 0.3;
/** … each row widened to the median extent of the rows within this distance … */
const NOTCH_ROWS_SW = 0.25;
/** … and gaps narrower than this filled (a wider gap is between the legs). */
const NOTCH_MAX_GAP_SW = 0.35;

export interface OnModelCut {
  mask: BinaryMask;
  /** The model's body frame in the product photo: its shoulders and hips seed the garment's landmarks. */
  frame: BodyFrame;
}

/**
 * Hair: the head's pixels that are neither face skin nor background give a colour; person pixels of that colour
 * connected to the head, down to about the chest, are hair hanging over the shoulders (the parsing's head stops at
 * the chin). Growth is limited to the colour model AND to small steps between neighbours, so that a garment stripe
 * of a similar brown touching the hair is not swallowed whole.
 */
function hairMask(img: RawImage, lab: Lab, parsing: PersonParsing, maxY: number): BinaryMask {
  const { width: w, height: h } = img;
  const { L, A, B } = lab;
  const seed = andNot(parsing.head, dilate(parsing.skin, 1));
  const ls: number[] = [];
  const as: number[] = [];
  const bs: number[] = [];
  for (let p = 0; p < w * h; p++) {
    if (!seed.data[p] || !parsing.person.data[p]) continue;
    ls.push(L[p]!);
    as.push(A[p]!);
    bs.push(B[p]!);
  }
  const out = emptyMask(w, h);
  if (ls.length < 200) return out;
  const m0 = upperMedian(ls);
  const m1 = upperMedian(as);
  const m2 = upperMedian(bs);
  const tol2 = 14 * 14;
  const od = out.data;
  const stack = new Int32Array(w * h);
  let sp = 0;
  for (let p = 0; p < w * h; p++) {
    if (seed.data[p] && parsing.person.data[p]) {
      od[p] = 1;
      stack[sp++] = p;
    }
  }
  const yMax = Math.min(h, Math.round(maxY));
  while (sp > 0) {
    const p = stack[--sp]!;
    const x = p % w;
    const y = (p / w) | 0;
    const nbrs = [x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, y > 0 ? p - w : -1, y < yMax - 1 ? p + w : -1];
    for (const q of nbrs) {
      if (q < 0 || od[q] || !parsing.person.data[q] || parsing.skin.data[q]) continue;
      const dl = (L[q]! - m0) * 0.6;
      const da = A[q]! - m1;
      const db = B[q]! - m2;
      if (dl * dl + da * da + db * db > tol2) continue;
      const nl = L[q]! - L[p]!;
      const na = A[q]! - A[p]!;
      const nb = B[q]! - B[p]!;
      if (nl * nl + na * na + nb * nb > 100) continue;
      od[q] = 1;
      stack[sp++] = q;
    }
  }
  return out;
}

/**
 * The lower garment by its colour: the median Lab of the person's non-skin pixels in a band below the hips (jeans,
 * shorts, a skirt), removed from `fromY` down wherever within ΔE 12. The parsing's own lower region is grown only
 * outside what it took for the upper garment, which on a patterned top with a blue stripe includes the jeans.
 */
function lowerByColour(img: RawImage, lab: Lab, parsing: PersonParsing, fromY: number, sampleY: number): BinaryMask {
  const { width: w, height: h } = img;
  const out = emptyMask(w, h);
  const { L, A, B } = lab;
  const f = parsing.frame;
  const x0 = Math.round(Math.min(f.lHip.x, f.rHip.x));
  const x1 = Math.round(Math.max(f.lHip.x, f.rHip.x));
  const ls: number[] = [];
  const as: number[] = [];
  const bs: number[] = [];
  // Half-length product photos end at the thigh: sample the last rows then.
  const sy = Math.max(0, Math.min(Math.round(sampleY), h - 24));
  for (let y = sy; y < Math.min(h, sy + 20); y++) {
    for (let x = Math.max(0, x0); x <= Math.min(w - 1, x1); x++) {
      const p = y * w + x;
      if (!parsing.person.data[p] || parsing.skin.data[p]) continue;
      ls.push(L[p]!);
      as.push(A[p]!);
      bs.push(B[p]!);
    }
  }
  if (ls.length < 100) return out;
  const m0 = upperMedian(ls);
  const m1 = upperMedian(as);
  const m2 = upperMedian(bs);
  for (let p = Math.max(0, Math.round(fromY)) * w; p < w * h; p++) {
    if (!parsing.person.data[p]) continue;
    const dl = (L[p]! - m0) * 0.5;
    const da = A[p]! - m1;
    const db = B[p]! - m2;
    if (dl * dl + da * da + db * db <= 144) out.data[p] = 1;
  }
  return out;
}

export interface OnModelOptions {
  /** Keep everything down to the hem (a dress); otherwise the garment stops where the lower garment begins. */
  dress: boolean;
  /** The product's words say sleeveless: nothing along the arms past the armhole is garment. */
  sleeveless?: boolean;
}

/** The chin is at least this far (shoulder widths) above the shoulder line (below the face outline's lowest point
 * only where that is higher; without a face, CHIN_ABOVE_SHOULDERS_SW above it). */
const CHIN_MIN_ABOVE_SHOULDERS_SW = 0.05;
/** Hair may hang down to 60 % of the way from the shoulders to the hips. */
const HAIR_DEPTH = 0.6;
/** A bare midriff: rows, each side of the centre line (shoulder widths) … */
const MIDRIFF_HALF_SW = 0.35;
/** … from 45 % of the way to the hips down to this far below them … */
const MIDRIFF_FROM = 0.45;
const MIDRIFF_BELOW_HIPS_SW = 0.15;
/** … where at least 40 % is skin, over this many rows (shoulder widths; at least 3). */
const MIDRIFF_SKIN = 0.4;
const MIDRIFF_ROWS_SW = 0.025;
/** A lower garment of the top's colour is looked for from this far above the hips, sampled this far below them. */
const LOWER_FROM_ABOVE_HIPS_SW = 0.35;
const LOWER_SAMPLE_BELOW_HIPS_SW = 0.6;
/** Below the hips by this much nothing is the top. */
const TOP_END_BELOW_HIPS_SW = 0.15;
/** The chest the garment must overlap: this wide each side (shoulder widths), from below the collar to 80 % down. */
const CHEST_HALF_SW = 0.3;
const CHEST_TOP_SW = 0.1;
const CHEST_BOTTOM = 0.8;
/** The opening that takes thin appendages off (a strand of hair, a bag's strap), in shoulder widths (at least 3). */
const APPENDAGE_SW = 0.025;
/** The hips' span from the joints (×1.5); rows at the bottom narrower than 40 % of it are a leg or a hand. */
const HIP_SPAN = 1.5;
const STALK_SHARE = 0.4;
/** Stalks are trimmed up to this far (shoulder widths) above the hips. */
const STALK_ABOVE_HIPS_SW = 0.2;
/** A cut-out under 4 % of the photo, or a torso over 60 % skin, is no garment. */
const MIN_GARMENT_SHARE = 0.04;
const MAX_TORSO_SKIN = 0.6;

/**
 * Head: the face oval and everything above the chin (hair, ears), at any x: long hair falls wide of the face; then
 * hair over the shoulders and chest. Returns what is left of the person, and the chin's row.
 */
function withoutHeadAndHair(m: Model): { g: BinaryMask; chinY: number } {
  const { img, lab, parsing, sw, shoulderY, hipY } = m;
  const { width: w, height: h } = img;
  let g = parsing.person;
  const head = dilate(parsing.head, 3);
  let chinY = shoulderY - sw * CHIN_ABOVE_SHOULDERS_SW;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) if (parsing.head.data[y * w + x] && y > chinY) chinY = y;
  }
  chinY = Math.min(chinY, shoulderY - sw * CHIN_MIN_ABOVE_SHOULDERS_SW);
  const above = emptyMask(w, h);
  for (let p = 0; p < Math.round(chinY) * w && p < w * h; p++) above.data[p] = 1;
  g = andNot(andNot(g, head), above);
  g = andNot(g, dilate(hairMask(img, lab, parsing, shoulderY + (hipY - shoulderY) * HAIR_DEPTH), 1));
  return { g, chinY };
}

/**
 * A top ends where the lower garment begins. A bare midriff (a tied or cropped top): rows between the chest and the
 * hips where most of the body's middle is skin; the top ends there, and what lies below is the lower garment, even
 * in the top's own print. Below the hips nothing is the top (shorts of the same print).
 */
function topOnly(m: Model, g: BinaryMask, skinCut: BinaryMask, skinAll: BinaryMask): BinaryMask {
  const { img, lab, parsing, sw, shoulderY, hipY, midX } = m;
  const { width: w, height: h } = img;
  const half = Math.round(sw * MIDRIFF_HALF_SW);
  let run = 0;
  for (
    let y = Math.round(shoulderY + (hipY - shoulderY) * MIDRIFF_FROM);
    y < Math.min(h, hipY + sw * MIDRIFF_BELOW_HIPS_SW);
    y++
  ) {
    let skinN = 0;
    for (let x = Math.max(0, Math.round(midX) - half); x <= Math.min(w - 1, Math.round(midX) + half); x++) {
      skinN += skinCut.data[y * w + x]! | (skinAll.data[y * w + x]! & parsing.person.data[y * w + x]!);
    }
    run = skinN >= half * 2 * MIDRIFF_SKIN ? run + 1 : 0;
    if (run >= Math.max(3, sw * MIDRIFF_ROWS_SW)) {
      g.data.fill(0, Math.max(0, y - run + 1) * w);
      break;
    }
  }
  let top = andNot(g, parsing.lowerClothes);
  top = andNot(
    top,
    lowerByColour(img, lab, parsing, hipY - sw * LOWER_FROM_ABOVE_HIPS_SW, hipY + sw * LOWER_SAMPLE_BELOW_HIPS_SW),
  );
  const lowY = Math.round(hipY + sw * TOP_END_BELOW_HIPS_SW);
  const cut = emptyMask(w, h);
  for (let p = Math.max(0, lowY) * w; p < w * h; p++) cut.data[p] = 1;
  return andNot(top, cut);
}

/**
 * The garment's piece: bare arms and hands went with the skin test, and an opening breaks the thin skin/garment
 * blend lines left along the arms; what is connected to the torso stays (the largest component overlapping the
 * chest). Holes (a print's skin-coloured motif, a button) are garment; an open collar's V reaches the outline so it
 * is not a hole and stays open. Thin appendages (a strand of hair, a strap of the bag, slivers of arm along a side)
 * go with a second opening. A leg or a hand hanging below the hem stays attached to it as a narrow stalk: rows at
 * the bottom narrower than 40 % of the hips are not the garment.
 */
function garmentPiece(m: Model, g: BinaryMask): BinaryMask {
  const { parsing, frame, sw, shoulderY, hipY, midX } = m;
  const { width: w, height: h } = m.img;
  const opened = open(g, 2);
  const chest = emptyMask(w, h);
  const chestTop = shoulderY + sw * CHEST_TOP_SW;
  const chestBottom = shoulderY + (hipY - shoulderY) * CHEST_BOTTOM;
  const half = sw * CHEST_HALF_SW;
  drawPolygon(chest, [
    { x: midX - half, y: chestTop },
    { x: midX + half, y: chestTop },
    { x: midX + half, y: chestBottom },
    { x: midX - half, y: chestBottom },
  ]);
  const { labels, sizes } = components(opened);
  const overlap = new Float64Array(sizes.length);
  for (let p = 0; p < w * h; p++) if (chest.data[p] && labels[p]) overlap[labels[p]!]!++;
  let best = 0;
  for (let i = 1; i < sizes.length; i++) {
    if (overlap[i]! > 0 && (best === 0 || sizes[i]! > sizes[best]!)) best = i;
  }
  let mask = emptyMask(w, h);
  if (best > 0) for (let p = 0; p < w * h; p++) mask.data[p] = labels[p] === best ? 1 : 0;
  mask = and(fillHoles(close(mask, 2)), parsing.person);
  mask = open(mask, Math.max(3, sw * APPENDAGE_SW));
  const hipSpan = Math.hypot(frame.rHip.x - frame.lHip.x, frame.rHip.y - frame.lHip.y) * HIP_SPAN;
  for (let y = h - 1; y > hipY - sw * STALK_ABOVE_HIPS_SW; y--) {
    let n = 0;
    for (let x = 0; x < w; x++) n += mask.data[y * w + x]!;
    if (n >= hipSpan * STALK_SHARE) break;
    mask.data.fill(0, y * w, (y + 1) * w);
  }
  return mask;
}

/**
 * The garment worn by the model in `img` (see {@link OnModelOptions}; a boolean is `dress`). Throws
 * GARMENT_NOT_DETECTED when no body is found, or what is left is too small or mostly skin.
 */
export function cutGarmentOffModel(img: RawImage, det: PersonDetection, opts: OnModelOptions | boolean): OnModelCut {
  const { dress: wantDress, sleeveless = false } = typeof opts === 'boolean' ? { dress: opts } : opts;
  const frame = det.keypoints.length > 0 ? bodyFrame(det) : null;
  if (!frame || !det.mask) {
    throw new EngineError(
      'GARMENT_NOT_DETECTED',
      'The product photo shows no plain background and no model to take the garment from.',
    );
  }
  const { width: w, height: h } = img;
  const parsing = parsePerson(img, det, frame, { lower: !wantDress });
  const shoulderY = (frame.lShoulder.y + frame.rShoulder.y) / 2;
  const hipY = (frame.lHip.y + frame.rHip.y) / 2;
  const m: Model = {
    img,
    // Every colour test reads these planes (only at pixels of the person): converted once.
    lab: labPlanes(img),
    parsing,
    frame,
    sw: frame.shoulderWidth,
    shoulderY,
    hipY,
    midX: (frame.lShoulder.x + frame.rShoulder.x) / 2,
    chestY: Math.round(shoulderY + (hipY - shoulderY) * 0.3),
  };
  const head = withoutHeadAndHair(m);
  let g = head.g;
  const skin = modelSkin(m, g, head.chinY);
  if (sleeveless) g = withoutBareArms(m, g, skin.bothArms, skin.armZone);
  const skinCut = skinOpenings(m, skin.skinAll, skin.bothArms);
  const before = countMask(and(g, parsing.upperBody));
  g = andNot(g, dilate(skinCut, 1));
  g = andNot(g, andNot(parsing.neck, skin.unlikeNeck));
  const torsoSkin = before > 0 ? 1 - countMask(and(g, parsing.upperBody)) / before : 1;
  if (!wantDress) g = topOnly(m, g, skinCut, skin.skinAll);
  const mask = garmentPiece(m, g);
  const share = countMask(mask) / (w * h);
  if (share < MIN_GARMENT_SHARE || torsoSkin > MAX_TORSO_SKIN) {
    throw new EngineError('GARMENT_NOT_DETECTED', 'No garment could be separated from the model in the product photo.');
  }
  return { mask, frame };
}

/**
 * The model's hands at the skirt or at a top's hem leave bites in the cut-out's sides (a hand in a pocket, hands
 * held against a dress), which the warp carries onto the person as holes in the hem. From a little above the hips
 * down, each row's extent is widened to the median extent of the rows around it (±0.25 shoulder widths) and filled
 * where it has gaps narrower than 0.35 shoulder widths (a wider gap is between legs); a filled pixel takes the colour
 * interpolated from the garment two pixels inside either side of its gap (or the one side at the outline).
 */
export function fillHemNotches(
  img: RawImage,
  mask: BinaryMask,
  frame: BodyFrame,
): { image: RawImage; mask: BinaryMask } {
  const { width: w, height: h, channels: ch } = img;
  const out = new Uint8Array(img.data);
  const m = { ...mask, data: new Uint8Array(mask.data) };
  const sw = frame.shoulderWidth;
  const hipY = (frame.lHip.y + frame.rHip.y) / 2;
  const maxGap = sw * NOTCH_MAX_GAP_SW;
  const y0 = Math.max(0, Math.round(hipY - sw * NOTCH_ABOVE_HIPS_SW));
  const A = new Int32Array(h).fill(-1);
  const B = new Int32Array(h).fill(-1);
  for (let y = y0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask.data[y * w + x]) continue;
      if (A[y]! < 0) A[y] = x;
      B[y] = x;
    }
  }
  const k = Math.max(2, Math.round(sw * NOTCH_ROWS_SW));
  const med = (arr: Int32Array, y: number): number => {
    const v: number[] = [];
    for (let yy = Math.max(y0, y - k); yy <= Math.min(h - 1, y + k); yy++) if (arr[yy]! >= 0) v.push(arr[yy]!);
    v.sort((p, q) => p - q);
    return v[v.length >> 1] ?? -1;
  };
  for (let y = y0; y < h; y++) {
    if (A[y]! < 0) continue;
    const row = y * w;
    const a = Math.min(A[y]!, Math.max(0, med(A, y)));
    const b = Math.max(B[y]!, med(B, y));
    let x = a;
    while (x <= b) {
      if (mask.data[row + x]) {
        x++;
        continue;
      }
      const g0 = x - 1;
      let g1 = x;
      while (g1 <= b && !mask.data[row + g1]) g1++;
      const hasL = g0 >= A[y]!;
      const hasR = g1 <= B[y]!;
      if (g1 - g0 - 1 <= maxGap && (hasL || hasR)) {
        const ql = row + (hasL ? Math.max(A[y]!, g0 - 2) : Math.min(B[y]!, g1 + 2));
        const qr = row + (hasR ? Math.min(B[y]!, g1 + 2) : Math.max(A[y]!, g0 - 2));
        for (let xx = g0 + 1; xx < g1; xx++) {
          const t = (xx - g0) / (g1 - g0);
          for (let c = 0; c < 3; c++) {
            out[(row + xx) * ch + c] = Math.round(img.data[ql * ch + c]! * (1 - t) + img.data[qr * ch + c]! * t);
          }
          m.data[row + xx] = 1;
        }
      }
      x = g1;
    }
  }
  return { image: { ...img, data: out }, mask: m };
}
