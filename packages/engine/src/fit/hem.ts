/**
 * Where a top's or a dress's hem goes: its row (from the body, in proportion to the garment's own length, or where
 * it sat on a model; a top that is not cropped meets the old top's hem) and its line across the hips (the hip width
 * × the garment's flare).
 */
import type { PersonParsing } from '../body/parsing.js';
import type { GarmentAnalysis } from '../garment/analyze.js';
import type { P } from '../raster/draw.js';
import { mid } from './targets.js';

/** Typical garment length / shoulder width on a flat-lay: a hip-length top and a knee-length dress. */
const TYPICAL_TOP_RATIO = 1.45;
const TYPICAL_DRESS_RATIO = 2.9;

/** A top whose hem lies above this fraction of the shoulder → hip distance is cropped: it leaves the midriff bare. */
const CROPPED_BELOW = 0.8;
/** How far (in shoulder → hip distances) a top's hem is lowered at most to meet the old top's hem. */
const MAX_HEM_DROP = 0.3;
/** The middle of the body whose old top is measured for its hem, each side of the centre line, in shoulder widths. */
const OLD_HEM_HALF_WIDTH_SW = 0.2;
/** How far past the old hem the new one goes (shoulder widths): the new hem's edge is feathered. */
const PAST_OLD_HEM_SW = 0.02;

/** The knees, when not seen: this many shoulder → hip distances below the hips. */
const KNEES_BELOW_HIPS_TORSOS = 0.95;
/** A dress's length against a typical one's is kept within these bounds (a flat-lay's proportions can mislead). */
const DRESS_LENGTH_RANGE = { min: 0.6, max: 1.5 };
/** …and a top's: at most 12 % longer than typical, or it reads as a tunic. */
const TOP_LENGTH_RANGE = { min: 0.6, max: 1.12 };
/** A typical top ends this far below the hip joints (shoulder widths): hip joints sit above the hip bone's top. */
const TOP_HEM_BELOW_HIPS_SW = 0.12;
/** A halter's or strap garment's width is measured by its chest, at this share (its "shoulders" are two straps). */
const CHEST_AS_WIDTH = 0.95;
/** Where the hem sat on a model, in shoulder → hip distances, is believed within these bounds. */
const ON_MODEL_DRESS_HEM = [1.3, 3.6] as const;
const ON_MODEL_TOP_HEM = [0.6, 1.3] as const;

/** Hip joints sit ~20 % inside the silhouette on each side: the body's hip width is the joints' distance × this. */
const HIP_WIDTH_FROM_JOINTS = 1.55;
/** The garment's flare (hem width / chest width) is believed within these bounds. */
const FLARE_RANGE = { min: 0.9, max: 1.6 };
/** A dress's hem is at least this wide against the hips, and follows its flare at this share. */
const DRESS_HEM_MIN = 1.02;
const DRESS_FLARE_SHARE = 0.95;
/** A top's hem lies within these widths against the hips (design/engine.md: 1.0–1.15), following its flare. */
const TOP_HEM_RANGE = { min: 1.0, max: 1.15 };
const TOP_FLARE_SHARE = 1.02;
/** The hem's centre leans with the body: half the shoulder → hip lean, carried on below the hips. */
const HEM_LEAN = 0.5;

/**
 * The lowest row where the person's current top still covers half the body's middle (±0.2 shoulder widths around
 * the centre line); null without an old top.
 */
export function oldTopHemY(parsing: PersonParsing): number | null {
  const { frame: f, upperClothes, width: w, height: h } = parsing;
  const half = Math.round(f.shoulderWidth * OLD_HEM_HALF_WIDTH_SW);
  const cx = Math.round((f.lShoulder.x + f.rShoulder.x + f.lHip.x + f.rHip.x) / 4);
  const x0 = Math.max(0, cx - half);
  const x1 = Math.min(w - 1, cx + half);
  let hem: number | null = null;
  for (let y = Math.max(0, Math.round((f.lShoulder.y + f.rShoulder.y) / 2)); y < h; y++) {
    let n = 0;
    for (let x = x0; x <= x1; x++) n += upperClothes.data[y * w + x]!;
    if (n * 2 >= x1 - x0 + 1) hem = y;
  }
  return hem;
}

/**
 * A top that is not cropped meets the trousers or skirt it is worn with. Its length comes from proportions (the
 * flat-lay's, or where it ended on a model's body), so on a long-waisted person it can end a little above the old
 * top's hem, and the strip of old top between them would be painted as bare midriff: a flat band of skin. Such a hem is lowered to the old top's, when the drop is small;
 * a cropped top keeps its bare midriff, and a short top over a tunic is not stretched into one.
 */
function meetOldHem(parsing: PersonParsing, hemY: number): number {
  const f = parsing.frame;
  const shoulderY = (f.lShoulder.y + f.rShoulder.y) / 2;
  const torsoLen = Math.max(1, (f.lHip.y + f.rHip.y) / 2 - shoulderY);
  const oldHem = oldTopHemY(parsing);
  if (oldHem === null || (hemY - shoulderY) / torsoLen < CROPPED_BELOW) return hemY;
  // A couple of pixels past the old hem: the new hem's edge is feathered.
  const target = oldHem + Math.max(2, f.shoulderWidth * PAST_OLD_HEM_SW);
  return target > hemY && target - hemY <= torsoLen * MAX_HEM_DROP ? target : hemY;
}

/** The garment placed on the shoulders: the points the hem's row is measured from. */
export interface ShoulderPlacement {
  /** Mid-point of the garment's shoulder corners (garment pixels). */
  gMid: P;
  /** Mid-point of the body's shoulder targets (person pixels). */
  tMid: P;
  /**
   * The garment's width from shoulder corner to shoulder corner: a sleeveless garment's strap span is the share of it
   * the placement puts it at (fit-top.ts STRAP_OUT), so measured by its straps alone a dress read a third too long.
   */
  garmentShoulderW: number;
  /** The body's shoulder line's angle. */
  bAng: number;
}

/**
 * The hem's row. Length from the body: hips for tops, knees for dresses, scaled by this garment's length relative to
 * a typical one, measured against its width: its shoulder width, or its chest for halter and strap garments whose
 * "shoulders" are two straps close to the neck (a halter mini dress measured by its straps reads as a maxi dress).
 */
export function hemRow(g: GarmentAnalysis, parsing: PersonParsing, place: ShoulderPlacement, gChest: number): number {
  const f = parsing.frame;
  const lm = g.landmarks;
  const sw = f.shoulderWidth;
  const { gMid, tMid, garmentShoulderW } = place;
  const hipMid = mid(f.lHip, f.rHip);
  const shoulderMidKp = mid(f.lShoulder, f.rShoulder);
  const gLen = (lm.hemCenter.y - gMid.y) / Math.max(garmentShoulderW, gChest * CHEST_AS_WIDTH);
  let hemY: number;
  if (g.cls.category === 'dress') {
    const kneeY =
      f.lKnee && f.rKnee
        ? (f.lKnee.y + f.rKnee.y) / 2
        : hipMid.y + (hipMid.y - shoulderMidKp.y) * KNEES_BELOW_HIPS_TORSOS;
    const bodyLen = kneeY - tMid.y;
    const r = DRESS_LENGTH_RANGE;
    hemY = tMid.y + bodyLen * Math.min(r.max, Math.max(r.min, gLen / TYPICAL_DRESS_RATIO));
  } else {
    const bodyLen = hipMid.y + sw * TOP_HEM_BELOW_HIPS_SW - tMid.y;
    const r = TOP_LENGTH_RANGE;
    hemY = tMid.y + bodyLen * Math.min(r.max, Math.max(r.min, gLen / TYPICAL_TOP_RATIO));
  }
  const m = g.source === 'on-model' ? g.model : undefined;
  if (m?.hipsSeen) {
    // Worn by a model: the hem sits where it sat on the model's body, as a fraction of the shoulder → hip distance
    // (both measured between keypoints). A posed garment's own length/width ratio says little: a dress photographed
    // on a turned body reads as a tunic by its proportions.
    const mShY = (m.lShoulder.y + m.rShoulder.y) / 2;
    const mHipY = (m.lHip.y + m.rHip.y) / 2;
    const t = (lm.hemCenter.y - mShY) / Math.max(1, mHipY - mShY);
    const [lo, hi] = g.cls.category === 'dress' ? ON_MODEL_DRESS_HEM : ON_MODEL_TOP_HEM;
    hemY = shoulderMidKp.y + (hipMid.y - shoulderMidKp.y) * Math.min(hi, Math.max(lo, t));
  }
  if (g.cls.category === 'upper') hemY = meetOldHem(parsing, hemY);
  return Math.min(parsing.height + sw, hemY);
}

export interface HemLine {
  hemLeft: P;
  hemRight: P;
  hemCenter: P;
  /** The hem's width on the body. */
  bodyHemW: number;
  /** The body's hip width (the hip joints' distance, widened to the flesh). */
  hipW: number;
}

/**
 * The hem's line on row `hemY`: the hip width × 1.0–1.15, more for garments whose flat-lay hem is wider than their
 * chest (A-line dresses) in proportion; parallel to the hip line (the shoulder line without hips), its centre leaning
 * with the body.
 */
export function hemLine(
  g: GarmentAnalysis,
  parsing: PersonParsing,
  hemY: number,
  gChest: number,
  bAng: number,
): HemLine {
  const f = parsing.frame;
  const lm = g.landmarks;
  const hipMid = mid(f.lHip, f.rHip);
  const shoulderMidKp = mid(f.lShoulder, f.rShoulder);
  const hipW = Math.hypot(f.rHip.x - f.lHip.x, f.rHip.y - f.lHip.y) * HIP_WIDTH_FROM_JOINTS;
  const gHem = Math.max(1, lm.hemRight.x - lm.hemLeft.x);
  const flare = Math.min(FLARE_RANGE.max, Math.max(FLARE_RANGE.min, gHem / gChest));
  const bodyHemW =
    g.cls.category === 'dress'
      ? hipW * Math.max(DRESS_HEM_MIN, flare * DRESS_FLARE_SHARE)
      : hipW * Math.min(TOP_HEM_RANGE.max, Math.max(TOP_HEM_RANGE.min, flare * TOP_FLARE_SHARE));
  // The hem hangs level with the hips, not with the shoulders: a raised shoulder (a hand on the hip, a turn) tilted
  // the whole garment with it, and its hem crossed the body at a slant. Without hips seen, the shoulders' angle.
  const hemAng = f.hipsSeen ? Math.atan2(f.rHip.y - f.lHip.y, f.rHip.x - f.lHip.x) : bAng;
  const hemDir = { x: Math.cos(hemAng), y: Math.sin(hemAng) };
  const hemMidX =
    hipMid.x + (hipMid.x - shoulderMidKp.x) * ((hemY - hipMid.y) / Math.max(1, hipMid.y - shoulderMidKp.y)) * HEM_LEAN;
  const hemCenter = { x: hemMidX, y: hemY };
  const hemLeft = { x: hemMidX - (hemDir.x * bodyHemW) / 2, y: hemY - (hemDir.y * bodyHemW) / 2 };
  const hemRight = { x: hemMidX + (hemDir.x * bodyHemW) / 2, y: hemY + (hemDir.y * bodyHemW) / 2 };
  return { hemLeft, hemRight, hemCenter, bodyHemW, hipW };
}
