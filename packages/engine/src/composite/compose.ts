/**
 * The composite (design/engine.md step 4). Layers, back to front:
 *   person photo → old-garment residue filled → warped garment (shaded, white-balanced, feathered)
 *   → forearms/hands that lie inside the torso → neck, face and hair.
 * Every pixel outside the garment and residue regions is copied from the person photo byte for byte.
 */
import { EngineError } from '../engine.js';
import type { GarmentAnalysis } from '../garment/analyze.js';
import type { PersonDetection, RawImage } from '../vision/types.js';
import { type BodyTargets, fitGarment } from './fit.js';
import { bodyFrame, drawPolygon, type PersonParsing, parsePerson } from './parsing.js';
import { andNot, type BinaryMask, dilate, emptyMask, gaussBlur, luma, maskedBlur, or } from './raster.js';
import { type GarmentLayer, renderGarment } from './warp.js';

export interface CompositeResult {
  image: RawImage;
  /** Final garment coverage per pixel after occlusion by arms and head (0..1). */
  garmentAlpha: Float32Array;
  /** The old garment region the new one replaces. */
  oldRegion: BinaryMask;
  /** Pixels repainted to hide the old garment where the new one does not cover it. */
  filled: BinaryMask;
  parsing: PersonParsing;
  targets: BodyTargets;
  timings: Record<string, number>;
}

/** Minimum keypoint evidence for a fit: both shoulders and at least one elbow or hip. */
function checkPose(det: PersonDetection): void {
  if (det.keypoints.length === 0 || det.score === 0 || !det.mask) {
    throw new EngineError('NO_PERSON_DETECTED', 'No person was found in the photo.');
  }
}

export function composeTryOn(person: RawImage, det: PersonDetection, garment: GarmentAnalysis): CompositeResult {
  const timings: Record<string, number> = {};
  let t = performance.now();
  checkPose(det);
  const frame = bodyFrame(det);
  if (!frame) throw new EngineError('NO_PERSON_DETECTED', "The person's shoulders are not visible.");
  const { width: w, height: h } = person;
  if (frame.shoulderWidth < Math.min(w, h) * 0.06) {
    throw new EngineError('NO_PERSON_DETECTED', 'The person is too small in the photo for a try-on.');
  }
  if (garment.cls.category === 'dress' && !frame.hipsSeen) {
    throw new EngineError('UNSUPPORTED_GARMENT', 'A dress needs a photo showing the body down to the hips at least.');
  }
  // Facing away (shoulders crossed) or lying: refuse rather than produce garbage.
  if (frame.lShoulder.y > frame.lHip.y || frame.rShoulder.y > frame.rHip.y) {
    throw new EngineError('NO_PERSON_DETECTED', 'The person must be upright for a try-on.');
  }
  const parsing = parsePerson(person, det, frame);
  timings.parsing = performance.now() - t;

  t = performance.now();
  const fit = fitGarment(garment, parsing);
  const layer = renderGarment(garment, fit, w, h);
  timings.warp = performance.now() - t;

  t = performance.now();
  const result = blend(person, parsing, garment, layer, fit.targets);
  timings.composite = performance.now() - t;
  return { ...result, parsing, targets: fit.targets, timings };
}

function blend(
  person: RawImage,
  parsing: PersonParsing,
  garment: GarmentAnalysis,
  layer: GarmentLayer,
  targets: BodyTargets,
): { image: RawImage; garmentAlpha: Float32Array; oldRegion: BinaryMask; filled: BinaryMask } {
  const { width: w, height: h, channels: ch, data: src } = person;
  const n = w * h;
  const sw = parsing.frame.shoulderWidth;

  // ---- clip the garment to the body (plus a small margin): a loose flat-lay outline must not float over the
  // background. The margin lets the garment stand off the body by a few pixels, as real cloth does.
  const bodyZone = dilate(parsing.person, Math.max(2, sw * 0.04));
  const alpha = new Float32Array(n);
  for (let p = 0; p < n; p++) alpha[p] = bodyZone.data[p] ? layer.alpha[p]! : 0;

  // ---- old garment region: the current upper garment (and, for a dress, the lower one above the dress's hem).
  let old = parsing.upperClothes;
  if (garment.cls.category === 'dress') {
    const hemY = targets.hemCenter.y;
    const lower = emptyMask(w, h);
    for (let p = 0; p < n; p++) if (parsing.lowerClothes.data[p] && p / w < hemY) lower.data[p] = 1;
    old = or(old, lower);
  }

  // ---- occluders in front of the garment: head (face + hair), neck, and forearms/hands inside the torso.
  const torsoZone = emptyMask(w, h);
  drawPolygon(torsoZone, [targets.shoulderLeft, targets.shoulderRight, targets.hemRight, targets.hemLeft]);
  const front = emptyMask(w, h);
  for (let p = 0; p < n; p++) {
    const fore = parsing.forearmLeft.data[p] || parsing.forearmRight.data[p];
    // A forearm or hand is in front only where it lies inside the torso and is bare skin (a hand on a hip, arms
    // crossed); a hanging arm beside the body stays behind the garment's edge so it does not cut strips out of it.
    if (fore && torsoZone.data[p] && parsing.skin.data[p]) front.data[p] = 1;
    if (parsing.head.data[p] || parsing.neck.data[p]) front.data[p] = 1;
  }
  const frontSoft = gaussBlur(Float32Array.from(front.data), w, h, 0.8);
  for (let p = 0; p < n; p++) alpha[p] = alpha[p]! * (1 - Math.min(1, front.data[p] ? 1 : frontSoft[p]!));

  // Feather 1–2 px: a light blur of coverage, never growing it beyond where the garment was drawn.
  const feathered = gaussBlur(alpha, w, h, 0.7);
  for (let p = 0; p < n; p++) alpha[p] = Math.min(alpha[p]!, feathered[p]! * 1.15);

  // ---- residue: old garment not covered by the new one. Fill with the surrounding skin (arms, belly, shoulders),
  // or with the background where the old garment stands outside the body's skin areas.
  const covered = new Uint8Array(n);
  for (let p = 0; p < n; p++) covered[p] = alpha[p]! > 0.6 ? 1 : 0;
  const residue = andNot(andNot(dilate(old, 1), { data: covered, width: w, height: h }), front);
  const lum = new Float32Array(n);
  for (let p = 0; p < n; p++) lum[p] = luma(src[p * ch]!, src[p * ch + 1]!, src[p * ch + 2]!);
  const skinW = new Float32Array(n);
  for (let p = 0; p < n; p++) skinW[p] = parsing.skin.data[p] && !old.data[p] && !parsing.head.data[p] ? 1 : 0;
  const sigmaFill = Math.max(6, sw * 0.15);
  const skinField = [0, 1, 2].map((c) => {
    const v = new Float32Array(n);
    for (let p = 0; p < n; p++) v[p] = src[p * ch + c]!;
    return maskedBlur(v, skinW, w, h, sigmaFill);
  });
  const bgW = new Float32Array(n);
  for (let p = 0; p < n; p++) bgW[p] = parsing.person.data[p] ? 0 : 1;
  const bgField = [0, 1, 2].map((c) => {
    const v = new Float32Array(n);
    for (let p = 0; p < n; p++) v[p] = src[p * ch + c]!;
    return maskedBlur(v, bgW, w, h, sigmaFill);
  });
  // Shading of the old garment (low-frequency luminance ratio), used both for the fill and the new garment.
  const oldW = new Float32Array(n);
  let oldSum = 0;
  let oldCount = 0;
  for (let p = 0; p < n; p++) {
    if (old.data[p]) {
      oldW[p] = 1;
      oldSum += lum[p]!;
      oldCount++;
    }
  }
  const oldMean = oldCount > 0 ? oldSum / oldCount : 128;
  const lowLum = maskedBlur(lum, oldW, w, h, Math.max(3, sw * 0.035));
  // Folds, not tone: divide by a broad local mean of the same region, so a bright top over dark jeans (both old
  // garments under a dress) does not print the jeans' darkness onto the dress.
  const broadLum = maskedBlur(lum, oldW, w, h, Math.max(12, sw * 0.3));
  const oldPresence = gaussBlur(oldW, w, h, Math.max(2, sw * 0.03));

  // ---- white balance: the photo's neutral reference (brightest 2 % of the background) vs. the product photo's
  // background; gains limited to ±8 % so a coloured studio wall cannot tint the garment.
  const bgPixels: number[] = [];
  for (let p = 0; p < n; p += 3) if (!parsing.person.data[p]) bgPixels.push(p);
  bgPixels.sort((a, b) => lum[b]! - lum[a]!);
  const top = bgPixels.slice(0, Math.max(1, Math.floor(bgPixels.length * 0.02)));
  const ref = [0, 1, 2].map((c) => top.reduce((s, p) => s + src[p * ch + c]!, 0) / top.length);
  const refMean = (ref[0]! + ref[1]! + ref[2]!) / 3 || 1;
  const gb = garment.background;
  const gbMean = (gb[0] + gb[1] + gb[2]) / 3 || 1;
  const gain = [0, 1, 2].map((c) => {
    const g = ref[c]! / refMean / (gb[c]! / gbMean);
    return Number.isFinite(g) ? Math.min(1.08, Math.max(0.92, g)) : 1;
  });

  // ---- compose
  const out = new Uint8Array(src);
  const filled = emptyMask(w, h);
  for (let p = 0; p < n; p++) {
    let r = src[p * ch]!;
    let g = src[p * ch + 1]!;
    let b = src[p * ch + 2]!;
    let touched = false;
    if (residue.data[p]) {
      const inArm = parsing.armLeft.data[p] || parsing.armRight.data[p] || parsing.torso.data[p];
      const field = inArm && !Number.isNaN(skinField[0]![p]!) ? skinField : bgField;
      const base = Number.isNaN(field[0]![p]!) ? parsing.skinColor : [field[0]![p]!, field[1]![p]!, field[2]![p]!];
      // Keep the old garment's folds as light and shadow on the fill, damped (ratio^0.5).
      const ratio = Number.isNaN(lowLum[p]!)
        ? 1
        : Math.sqrt(Math.min(1.3, Math.max(0.7, lowLum[p]! / (broadLum[p]! || oldMean))));
      r = base[0]! * ratio;
      g = base[1]! * ratio;
      b = base[2]! * ratio;
      touched = true;
      filled.data[p] = 1;
    }
    const a = alpha[p]!;
    if (a > 0.002) {
      // Shading transfer: where the old garment was, multiply by its low-frequency luminance relative to its mean
      // (clamped to ±25 % so a dark print on the old top does not stain the new one); elsewhere no change.
      let shade = 1;
      const presence = Math.min(1, oldPresence[p]! * 1.5);
      if (!Number.isNaN(lowLum[p]!) && presence > 0) {
        const ratio = Math.min(1.2, Math.max(0.8, lowLum[p]! / (broadLum[p]! || oldMean)));
        shade = 1 + (ratio - 1) * presence;
      }
      const gr = Math.min(255, layer.rgb[p * 3]! * gain[0]! * shade);
      const gg = Math.min(255, layer.rgb[p * 3 + 1]! * gain[1]! * shade);
      const gbb = Math.min(255, layer.rgb[p * 3 + 2]! * gain[2]! * shade);
      r = r * (1 - a) + gr * a;
      g = g * (1 - a) + gg * a;
      b = b * (1 - a) + gbb * a;
      touched = true;
    }
    if (touched) {
      out[p * ch] = Math.round(r);
      out[p * ch + 1] = Math.round(g);
      out[p * ch + 2] = Math.round(b);
    }
  }
  return { image: { data: out, width: w, height: h, channels: ch }, garmentAlpha: alpha, oldRegion: old, filled };
}
