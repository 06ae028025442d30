/**
 * The composite (design/engine.md step 4). Layers, back to front:
 *   person photo → old-garment residue filled → warped garment (shaded, white-balanced, feathered; its sleeves
 *   under its body panel on the torso, over it on the arms) → forearms/hands that lie inside the torso, and bare
 *   arms beside the torso below the armpits (unless long sleeves cover them) → neck, face and hair.
 * Every pixel outside the garment and residue regions is copied from the person photo byte for byte.
 *
 * The stages of `blend`, each in its own file: the layer completed (layer-gaps.ts) and clipped to the body
 * (clip.ts) → the old garment region (old-region.ts) → the occluders in front (occluders.ts) → the edges feathered
 * (feather.ts) → the residue and its fill (residue.ts, old-sleeves.ts, membrane.ts, arm-fill.ts) → the old garment's
 * folds (shading.ts) → white balance (white-balance.ts) → the window painted (here).
 *
 * Around them, the checks: the pose (body/pose-checks.ts) before the parsing, the outfit (body/outfit-checks.ts)
 * after it, the result (result-checks.ts) at the end. In strict mode (the default) a check's `refuse` finding fails
 * the try-on with its code (UNSUPPORTED_POSE, UNSUPPORTED_OUTFIT, QUALITY_CHECK_FAILED); in lenient mode the garment
 * is drawn anyway and the findings come back in `findings`.
 */

import { dressWornFindings } from '../body/dress-worn.js';
import { bodyFrame } from '../body/frame.js';
import { outfitFindings } from '../body/outfit-checks.js';
import { type PersonParsing, parsePerson } from '../body/parsing.js';
import { poseFindings } from '../body/pose-checks.js';
import { type CheckFinding, type ChecksMode, EngineError } from '../engine.js';
import { fitGarment } from '../fit/fit.js';
import type { BodyTargets } from '../fit/targets.js';
import { type GarmentLayer, renderGarment } from '../fit/warp.js';
import type { GarmentAnalysis } from '../garment/analyze.js';
import { andNot, type BinaryMask, type Box, emptyMask, maskBounds, or } from '../raster/mask.js';
import type { PersonDetection, RawImage } from '../vision/types.js';
import { clipToBody } from './clip.js';
import { featherAlpha } from './feather.js';
import { completeLayer } from './layer-gaps.js';
import { occluders } from './occluders.js';
import { oldGarmentRegion } from './old-region.js';
import { fillColour, planResidueFill, type ResidueFill, residueRegion } from './residue.js';
import { type CompositeForChecks, RESULT_CRITERIA, type ResultCriterion, resultFindings } from './result-checks.js';
import { garmentShade, type OldShading, oldShading } from './shading.js';
import { whiteBalanceGains } from './white-balance.js';

/** The composite: what the result criteria read (result-checks.ts) less their inputs, with timings and findings. */
export interface CompositeResult extends Omit<CompositeForChecks, 'person' | 'garment'> {
  timings: Record<string, number>;
  /**
   * What the checks of the photo (pose, outfit) and of the result found and did not refuse: everything in lenient
   * mode, `warn` findings only in strict mode. Empty for an ordinary photo.
   */
  findings: CheckFinding[];
}

export interface ComposeOptions {
  /** `strict` (default): a `refuse` finding fails with its code; `lenient`: draws anyway, the finding reported. */
  checks?: ChecksMode;
  /** The result criteria (default: result-checks.ts `RESULT_CRITERIA`); tests pass their own. */
  resultCriteria?: readonly ResultCriterion[];
}

/** Shoulders narrower than this share of the photo's shorter side: the person is too small to dress. */
const MIN_SHOULDER_SHARE = 0.06;
/** Coverage below which the garment is not drawn at a pixel. */
const MIN_ALPHA = 0.002;

/** Minimum keypoint evidence for a fit: both shoulders and at least one elbow or hip. */
function checkPose(det: PersonDetection): void {
  if (det.keypoints.length === 0 || det.score === 0 || !det.mask) {
    throw new EngineError('NO_PERSON_DETECTED', 'No person was found in the photo.');
  }
}

/**
 * Findings either fail the try-on (`fatal` always, `refuse` in strict mode: the first such, with its code and
 * message) or are kept for the result's `findings`.
 */
function judge(findings: CheckFinding[], mode: ChecksMode, kept: CheckFinding[]): void {
  for (const f of findings) {
    if (f.severity === 'fatal' || (f.severity === 'refuse' && mode === 'strict')) {
      throw new EngineError(f.code, f.message);
    }
  }
  kept.push(...findings);
}

export function composeTryOn(
  person: RawImage,
  det: PersonDetection,
  garment: GarmentAnalysis,
  options: ComposeOptions = {},
): CompositeResult {
  const mode = options.checks ?? 'strict';
  const findings: CheckFinding[] = [];
  const timings: Record<string, number> = {};
  let t = performance.now();
  checkPose(det);
  const frame = bodyFrame(det);
  if (!frame) throw new EngineError('NO_PERSON_DETECTED', "The person's shoulders are not visible.");
  const { width: w, height: h } = person;
  if (frame.shoulderWidth < Math.min(w, h) * MIN_SHOULDER_SHARE) {
    throw new EngineError('NO_PERSON_DETECTED', 'The person is too small in the photo for a try-on.');
  }
  if (garment.cls.category === 'dress' && !frame.hipsSeen) {
    throw new EngineError('UNSUPPORTED_GARMENT', 'A dress needs a photo showing the body down to the hips at least.');
  }
  // The pose (body/pose-checks.ts): lying or upside down fails in any mode; seated, or crossed arms under a top or a
  // dress, per the mode. The arms do not matter to a bottom.
  const coversTorso = garment.cls.category !== 'lower';
  judge(poseFindings(frame, { width: w, height: h, arms: coversTorso }), mode, findings);
  const parsing = parsePerson(person, det, frame, {
    lower: garment.cls.category === 'dress' || garment.cls.category === 'lower',
  });
  // The outfit: an open jacket over a shirt, for what replaces the old top (body/outfit-checks.ts); a dress worn, for
  // a bottom (body/dress-worn.ts).
  judge(coversTorso ? outfitFindings(person, parsing) : dressWornFindings(person, parsing), mode, findings);
  timings.parsing = performance.now() - t;

  t = performance.now();
  const fit = fitGarment(garment, parsing);
  // Sleeves go under the body panel on the torso, except on the arms (which may cross in front of it).
  const sleeveUnder = andNot(parsing.torso, or(parsing.armLeft, parsing.armRight)).data;
  const layer = renderGarment(garment, fit, w, h, sleeveUnder);
  timings.warp = performance.now() - t;

  t = performance.now();
  const result = blend(person, parsing, garment, layer, fit.targets);
  timings.composite = performance.now() - t;
  // The result judged (composite/result-checks.ts): blocky fills, arms drawn over.
  const criteria = options.resultCriteria ?? RESULT_CRITERIA;
  if (criteria.length > 0) {
    t = performance.now();
    const found = resultFindings({ ...result, person, parsing, targets: fit.targets, garment }, criteria);
    timings.checks = performance.now() - t;
    judge(found, mode, findings);
  }
  return { ...result, parsing, targets: fit.targets, timings, findings };
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
  completeLayer(layer, parsing, garment, targets);
  const alpha = clipToBody(layer, parsing, garment, targets);
  const old = oldGarmentRegion(parsing, garment, targets, layer, alpha);

  // Everything below happens inside the window holding the new garment and the old one (plus a few pixels for the
  // feathering): pixels outside it are copied unchanged, so there is no reason to blur or test them.
  const touched = emptyMask(w, h);
  for (let p = 0; p < n; p++) touched.data[p] = alpha[p]! > 0 || old.data[p] ? 1 : 0;
  const out = new Uint8Array(src);
  const filled = emptyMask(w, h);
  const roi = maskBounds(touched, 4);
  if (!roi)
    return { image: { data: out, width: w, height: h, channels: ch }, garmentAlpha: alpha, oldRegion: old, filled };

  const front = occluders(parsing, garment, layer, targets, old, roi);
  featherAlpha(alpha, front, w, roi);
  const { residue, any } = residueRegion(old, alpha, front, roi);
  const fill = any ? planResidueFill(person, parsing, old, residue, alpha, roi) : null;
  const shading = oldShading(person, parsing, garment, old, roi);
  const gain = whiteBalanceGains(person, parsing, garment);
  paintWindow(out, person, roi, { alpha, residue, fill, parsing, shading, layer, gain, filled });
  return { image: { data: out, width: w, height: h, channels: ch }, garmentAlpha: alpha, oldRegion: old, filled };
}

interface Paint {
  alpha: Float32Array;
  residue: BinaryMask;
  fill: ResidueFill | null;
  parsing: PersonParsing;
  shading: OldShading;
  layer: GarmentLayer;
  gain: number[];
  /** Marked where the residue is filled. */
  filled: BinaryMask;
}

/** The window painted (everything else is already the person's bytes): residue fill, then the garment over it. */
function paintWindow(out: Uint8Array, person: RawImage, [rx0, ry0, rx1, ry1]: Box, s: Paint): void {
  const { width: w, channels: ch, data: src } = person;
  const { alpha, residue, fill, parsing, shading, layer, gain, filled } = s;
  for (let y = ry0; y <= ry1; y++) {
    for (let x = rx0; x <= rx1; x++) {
      const p = y * w + x;
      const a = alpha[p]!;
      const isResidue = residue.data[p] === 1;
      if (!isResidue && a <= MIN_ALPHA) continue;
      let r = src[p * ch]!;
      let g = src[p * ch + 1]!;
      let b = src[p * ch + 2]!;
      const fold = shading.foldRatio(x, y);
      if (isResidue && fill) {
        [r, g, b] = fillColour(fill, parsing, p, x, y, fold);
        filled.data[p] = 1;
      }
      if (a > MIN_ALPHA) {
        const shade = garmentShade(shading, x, y, fold);
        const gr = Math.min(255, layer.rgb[p * 3]! * gain[0]! * shade);
        const gg = Math.min(255, layer.rgb[p * 3 + 1]! * gain[1]! * shade);
        const gbb = Math.min(255, layer.rgb[p * 3 + 2]! * gain[2]! * shade);
        r = r * (1 - a) + gr * a;
        g = g * (1 - a) + gg * a;
        b = b * (1 - a) + gbb * a;
      }
      // Clamped: a Uint8Array wraps 256 to 0, and a fill on pale skin brightened by the old garment's folds goes
      // past 255 (it painted teal patches: red wrapped to 0).
      out[p * ch] = toByte(r);
      out[p * ch + 1] = toByte(g);
      out[p * ch + 2] = toByte(b);
    }
  }
}

function toByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}
