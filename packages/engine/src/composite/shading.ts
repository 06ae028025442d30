/**
 * Shading transfer: the old garment's folds (its low-frequency luminance over a broad local mean of the same garment)
 * become light and shade on the new garment and on the skin that fills the residue.
 */
import type { PersonParsing } from '../body/parsing.js';
import type { GarmentAnalysis } from '../garment/analyze.js';
import { type LowResField, padBox, sampleField, windowFieldsLow } from '../raster/blur.js';
import { luma } from '../raster/colour.js';
import { and, andNot, type BinaryMask, type Box, maskBounds } from '../raster/mask.js';
import type { RawImage } from '../vision/types.js';

/** Sigma of the folds (shoulder widths; at least 3 px): a fold's width, not the knit's texture. */
const FOLD_SIGMA_SW = 0.035;
/** Sigma of the broad local mean the folds are measured against (shoulder widths; at least 12 px): the light's fall. */
const BROAD_SIGMA_SW = 0.3;
/** Sigma of the old garment's presence, which fades the transfer out at its edge (shoulder widths; at least 2 px). */
const PRESENCE_SIGMA_SW = 0.03;
/** The presence reaches full weight at 2/3 (×1.5). */
const PRESENCE_GAIN = 1.5;
/** The new garment's shade is clamped to −15 %…+12 % so a dark print on the old top does not stain the new one. */
const SHADE_RANGE = { min: 0.85, max: 1.12 };
/**
 * How patterned the old garment is: the mean absolute difference between its luma and its fold-scale blur, over its
 * mean luma. Plain cloth (folds only) stays below the first figure and transfers its folds in full; a print, sequins
 * or leopard above the second transfers none — at the fold scale its motifs pass for folds and printed blotches of
 * light and shade on the new garment. Between the two the transfer fades linearly.
 */
const PATTERN_PLAIN = 0.05;
const PATTERN_PRINTED = 0.12;
/**
 * The same measure taken locally, over a logo's scale (shoulder widths; at least 8 px), damps the transfer where the
 * old garment is printed: one large print on plain cloth (a white tee's black "AX") leaves the garment's measure low,
 * and the print came through the new garment as a grey ghost of its letters.
 */
const PRINT_SIGMA_SW = 0.12;

export interface OldShading {
  /** The old garment's fold ratio at a pixel (NaN far from it). */
  foldRatio(x: number, y: number): number;
  presence: LowResField;
}

/**
 * The old garment's folds, sampled inside `roi`. Under a dress the old top and the old bottom are measured apart:
 * across a bright top's hem over dark leggings, one broad mean of both dipped far below the leggings' folds and
 * printed a dark band across the new skirt.
 */
export function oldShading(
  person: RawImage,
  parsing: PersonParsing,
  garment: GarmentAnalysis,
  old: BinaryMask,
  roi: Box,
): OldShading {
  const { width: w, channels: ch, data: src } = person;
  const sw = parsing.frame.shoulderWidth;
  let oldSum = 0;
  let oldCount = 0;
  const ob = maskBounds(old);
  if (ob) {
    for (let y = ob[1]; y <= ob[3]; y++) {
      for (let p = y * w + ob[0]; p <= y * w + ob[2]; p++) {
        if (!old.data[p]) continue;
        oldSum += luma(src[p * ch]!, src[p * ch + 1]!, src[p * ch + 2]!);
        oldCount++;
      }
    }
  }
  const oldMean = oldCount > 0 ? oldSum / oldCount : 128;
  const sigmaLow = Math.max(3, sw * FOLD_SIGMA_SW);
  const sigmaBroad = Math.max(12, sw * BROAD_SIGMA_SW);
  const oldParts =
    garment.cls.category === 'dress' ? [and(old, parsing.upperClothes), andNot(old, parsing.upperClothes)] : [old];
  const folds = oldParts.map((part) => ({
    low: windowFieldsLow(person, part.data, padBox(roi, sigmaLow), sigmaLow, 'luma')[0]!,
    broad: windowFieldsLow(person, part.data, padBox(roi, sigmaBroad), sigmaBroad, 'luma')[0]!,
    // Only read where there are two parts to weigh.
    presence:
      oldParts.length > 1 ? windowFieldsLow(person, part.data, padBox(roi, sigmaLow), sigmaLow, 'presence')[0]! : null,
  }));
  const strength = foldStrength(person, old, folds[0]!.low, oldMean);
  const detail = localDetail(person, old, folds[0]!.low, padBox(roi, Math.max(8, sw * PRINT_SIGMA_SW)), sw);
  const damped = (ratio: number, x: number, y: number) => {
    const local = patternStrength(sampleField(detail, x, y) / oldMean);
    return 1 + (ratio - 1) * Math.min(strength, Number.isNaN(local) ? 1 : local);
  };
  // Near both parts, weighted by their presence.
  const foldRatio = (x: number, y: number): number => {
    if (folds.length === 1)
      return damped(sampleField(folds[0]!.low, x, y) / (sampleField(folds[0]!.broad, x, y) || oldMean), x, y);
    let sum = 0;
    let weight = 0;
    for (const f of folds) {
      const lo = sampleField(f.low, x, y);
      const wgt = sampleField(f.presence!, x, y);
      if (Number.isNaN(lo) || !(wgt > 0)) continue;
      sum += (lo / (sampleField(f.broad, x, y) || oldMean)) * wgt;
      weight += wgt;
    }
    return weight > 0 ? damped(sum / weight, x, y) : Number.NaN;
  };
  const sigmaPresence = Math.max(2, sw * PRESENCE_SIGMA_SW);
  const [presence] = windowFieldsLow(person, old.data, padBox(roi, sigmaPresence), sigmaPresence, 'presence');
  return { foldRatio, presence: presence! };
}

/** How much of the old garment's folds to transfer, 0..1: less the more patterned it is (PATTERN_PLAIN). */
function foldStrength(person: RawImage, old: BinaryMask, low: LowResField, oldMean: number): number {
  const { width: w, channels: ch, data: src } = person;
  const ob = maskBounds(old);
  if (!ob || oldMean <= 0) return 1;
  let diff = 0;
  let n = 0;
  // Every 3rd pixel of every 3rd row: a mean over thousands of pixels needs no more.
  for (let y = ob[1]; y <= ob[3]; y += 3) {
    for (let x = ob[0]; x <= ob[2]; x += 3) {
      const p = y * w + x;
      if (!old.data[p]) continue;
      const lo = sampleField(low, x, y);
      if (Number.isNaN(lo)) continue;
      diff += Math.abs(luma(src[p * ch]!, src[p * ch + 1]!, src[p * ch + 2]!) - lo);
      n++;
    }
  }
  return n === 0 ? 1 : patternStrength(diff / n / oldMean);
}

/** 1 for plain cloth, 0 for a print, linearly between (PATTERN_PLAIN, PATTERN_PRINTED). */
const patternStrength = (pattern: number) =>
  Math.min(1, Math.max(0, (PATTERN_PRINTED - pattern) / (PATTERN_PRINTED - PATTERN_PLAIN)));

/**
 * The old garment's detail (|luma − its fold-scale blur|) averaged over a logo's scale inside `win`: a field of how
 * printed it is at each place (NaN far from it).
 */
function localDetail(person: RawImage, old: BinaryMask, low: LowResField, win: Box, sw: number): LowResField {
  const { width: w, height: h, channels: ch, data: src } = person;
  // As a grey image, for windowFieldsLow's luma: every channel the detail (clamped to a byte).
  const grey = new Uint8Array(w * h * 3);
  const ob = maskBounds(old);
  if (ob) {
    for (let y = ob[1]; y <= ob[3]; y++) {
      for (let p = y * w + ob[0]; p <= y * w + ob[2]; p++) {
        if (!old.data[p]) continue;
        const lo = sampleField(low, p - y * w, y);
        if (Number.isNaN(lo)) continue;
        const d = Math.min(255, Math.round(Math.abs(luma(src[p * ch]!, src[p * ch + 1]!, src[p * ch + 2]!) - lo)));
        grey[p * 3] = d;
        grey[p * 3 + 1] = d;
        grey[p * 3 + 2] = d;
      }
    }
  }
  const sigma = Math.max(8, sw * PRINT_SIGMA_SW);
  return windowFieldsLow({ width: w, height: h, channels: 3, data: grey }, old.data, win, sigma, 'luma')[0]!;
}

/** The new garment's shade at (x, y): where the old garment was, its fold ratio (clamped); elsewhere 1. */
export function garmentShade(shading: OldShading, x: number, y: number, fold: number): number {
  const presence = Math.min(1, sampleField(shading.presence, x, y) * PRESENCE_GAIN);
  if (Number.isNaN(fold) || !(presence > 0)) return 1;
  const ratio = Math.min(SHADE_RANGE.max, Math.max(SHADE_RANGE.min, fold));
  return 1 + (ratio - 1) * presence;
}
