/** The garments the person wears now: the old top (with its collar) and the old bottom, grown from seeds. */
import type { LabPlanes } from '../raster/colour.js';
import { fillHoles } from '../raster/components.js';
import { drawCapsule, drawPolygon } from '../raster/draw.js';
import { and, andNot, type BinaryMask, emptyMask, or } from '../raster/mask.js';
import { close, open } from '../raster/morphology.js';
import type { RawImage } from '../vision/types.js';
import { collarBand } from './collar.js';
import type { BodyFrame } from './frame.js';
import { growByColour } from './grow.js';
import {
  KNEES_BELOW_HIPS_SW,
  THIGH_SEED_RADIUS_SW,
  TOP_SEED_BELOW_SHOULDERS_SW,
  TOP_SEED_HALF_WIDTH_SW,
} from './proportions.js';

/** ΔE76 round the seed's median colour that a garment's pixels keep. */
const GARMENT_TOLERANCE = 16;
/** The old top's seed ends this far down from the shoulder line to the hips: above any waistband. */
const TOP_SEED_END = 0.55;
/** A chest seed with no more than this share of non-skin pixels is a bare chest: there is no old top. */
const BARE_CHEST_MAX = 0.4;
/** Fewer non-skin pixels than this between the hips and knees: no old bottom to find. */
const MIN_BOTTOM_SEED = 50;
/** Closing radius that fills a print's gaps and seams; opening radius that drops speckle. */
const CLOSE_R = 3;
const OPEN_R = 2;

/**
 * The old top: a colour-similar region grown from the chest within `allowed` (the person minus head and neck), and
 * its contrasting collar (body/collar.ts), which leaves the neck. Null clothes when the chest is bare.
 */
export function oldTop(
  img: RawImage,
  lab: LabPlanes,
  person: BinaryMask,
  personBox: readonly [number, number, number, number],
  skin: BinaryMask,
  head: BinaryMask,
  allowed: BinaryMask,
  frame: BodyFrame,
): { clothes: BinaryMask; collar: BinaryMask | null } {
  const { width: w, height: h } = person;
  const sw = frame.shoulderWidth;
  const shoulderY = (frame.lShoulder.y + frame.rShoulder.y) / 2;
  const midX = (frame.lShoulder.x + frame.rShoulder.x) / 2;
  const hipY = (frame.lHip.y + frame.rHip.y) / 2;
  const seedTop = shoulderY + sw * TOP_SEED_BELOW_SHOULDERS_SW;
  const seedBot = shoulderY + (hipY - shoulderY) * TOP_SEED_END;
  const half = sw * TOP_SEED_HALF_WIDTH_SW;
  const seed = emptyMask(w, h);
  drawPolygon(seed, [
    { x: midX - half, y: seedTop },
    { x: midX + half, y: seedTop },
    { x: midX + half, y: seedBot },
    { x: midX - half, y: seedBot },
  ]);
  // A bare chest (no upper garment) gives a seed that is mostly skin: then there is no old upper garment.
  const [px0, py0, px1, py1] = personBox;
  let seedCount = 0;
  let seedTotal = 0;
  for (let p = py0 * w + px0; p <= py1 * w + px1; p++) {
    if (seed.data[p] && person.data[p]) {
      seedTotal++;
      if (!skin.data[p]) seedCount++;
    }
  }
  if (!(seedTotal > 0 && seedCount / seedTotal > BARE_CHEST_MAX)) return { clothes: emptyMask(w, h), collar: null };
  const seedClothes = andNot(and(seed, person), skin);
  let clothes = growByColour(lab, seedClothes, allowed, GARMENT_TOLERANCE);
  clothes = andNot(fillHoles(close(clothes, CLOSE_R)), head);
  clothes = and(open(clothes, OPEN_R), person);
  const collar = collarBand(img, clothes, person, skin, head, midX, sw);
  return { clothes: or(clothes, collar), collar };
}

/** The old bottom: grown from capsules down the thighs, between the hips and halfway to the knees. */
export function oldBottom(
  lab: LabPlanes,
  person: BinaryMask,
  personBox: readonly [number, number, number, number],
  skin: BinaryMask,
  top: BinaryMask,
  allowed: BinaryMask,
  frame: BodyFrame,
): BinaryMask {
  const { width: w, height: h } = person;
  const sw = frame.shoulderWidth;
  const hipY = (frame.lHip.y + frame.rHip.y) / 2;
  const lowerSeed = emptyMask(w, h);
  const kneeY = frame.lKnee && frame.rKnee ? (frame.lKnee.y + frame.rKnee.y) / 2 : hipY + sw * KNEES_BELOW_HIPS_SW;
  const r = sw * THIGH_SEED_RADIUS_SW;
  drawCapsule(lowerSeed, frame.lHip, { x: frame.lHip.x, y: hipY + (kneeY - hipY) * 0.5 }, r);
  drawCapsule(lowerSeed, frame.rHip, { x: frame.rHip.x, y: hipY + (kneeY - hipY) * 0.5 }, r);
  const lowerSeedC = andNot(andNot(and(lowerSeed, person), skin), top);
  const [px0, py0, px1, py1] = personBox;
  let ls = 0;
  for (let p = py0 * w + px0; p <= py1 * w + px1; p++) ls += lowerSeedC.data[p]!;
  if (ls <= MIN_BOTTOM_SEED) return emptyMask(w, h);
  const bottom = growByColour(lab, lowerSeedC, andNot(allowed, top), GARMENT_TOLERANCE);
  return and(fillHoles(close(bottom, CLOSE_R)), andNot(person, top));
}
