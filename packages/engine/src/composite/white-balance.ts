/**
 * White balance: the photo's neutral reference (the brightest 2 % of its background) against the product photo's
 * background, as per-channel gains for the garment; none against a coloured wall.
 */
import type { PersonParsing } from '../body/parsing.js';
import type { GarmentAnalysis } from '../garment/analyze.js';
import { luma } from '../raster/colour.js';
import type { RawImage } from '../vision/types.js';

/** The brightest share of the background taken as the photo's white. */
const WHITE_SHARE = 0.02;
/** Gains are limited to ±8 % so a coloured studio wall cannot tint the garment much … */
const GAIN_RANGE = { min: 0.92, max: 1.08 };
/**
 * … and a wall that is plainly coloured is no white reference at all: the correction is applied in full while the
 * reference's channels spread by at most NEUTRAL_SPREAD of their mean (a white or grey wall under warm or cool light),
 * and not at all from COLOURED_SPREAD (a cyan backdrop spreads ~0.27: the ±8 % turned a white tee mint).
 */
const NEUTRAL_SPREAD = 0.08;
const COLOURED_SPREAD = 0.16;

/** Per-channel gains (RGB). Every third pixel is sampled; a luma histogram finds the brightest 2 % without sorting. */
export function whiteBalanceGains(person: RawImage, parsing: PersonParsing, garment: GarmentAnalysis): number[] {
  const { width: w, height: h, channels: ch, data: src } = person;
  const n = w * h;
  const hist = new Uint32Array(256);
  let bgCount = 0;
  for (let p = 0; p < n; p += 3) {
    if (parsing.person.data[p]) continue;
    hist[Math.min(255, Math.round(luma(src[p * ch]!, src[p * ch + 1]!, src[p * ch + 2]!)))]!++;
    bgCount++;
  }
  const want = Math.max(1, Math.floor(bgCount * WHITE_SHARE));
  let cut = 255;
  for (let acc = 0; cut > 0; cut--) {
    acc += hist[cut]!;
    if (acc >= want) break;
  }
  const ref = [0, 0, 0];
  let refN = 0;
  for (let p = 0; p < n; p += 3) {
    if (parsing.person.data[p] || Math.round(luma(src[p * ch]!, src[p * ch + 1]!, src[p * ch + 2]!)) < cut) continue;
    for (let c = 0; c < 3; c++) ref[c]! += src[p * ch + c]!;
    refN++;
  }
  for (let c = 0; c < 3; c++) ref[c] = refN > 0 ? ref[c]! / refN : 255;
  const refMean = (ref[0]! + ref[1]! + ref[2]!) / 3 || 1;
  const spread = (Math.max(ref[0]!, ref[1]!, ref[2]!) - Math.min(ref[0]!, ref[1]!, ref[2]!)) / refMean;
  const weight = Math.min(1, Math.max(0, (COLOURED_SPREAD - spread) / (COLOURED_SPREAD - NEUTRAL_SPREAD)));
  const gb = garment.background;
  const gbMean = (gb[0] + gb[1] + gb[2]) / 3 || 1;
  return [0, 1, 2].map((c) => {
    const g = ref[c]! / refMean / (gb[c]! / gbMean);
    return Number.isFinite(g) ? 1 + (Math.min(GAIN_RANGE.max, Math.max(GAIN_RANGE.min, g)) - 1) * weight : 1;
  });
}
