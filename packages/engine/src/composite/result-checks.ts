/**
 * The engine's judgement of its own result (QUALITY_CHECK_FAILED). `composeTryOn` calls `resultFindings` on every
 * composite it made; in strict mode a `refuse` finding fails the try-on with the finding's message as the shopper's
 * `errorMessage` (refunded), in lenient mode it is reported in the engine output's `diagnostics.checks`, and a `warn`
 * finding is only reported.
 *
 * A criterion belongs here when it can be measured on what `composeTryOn` has (the person photo, the composite and
 * its masks, the parsing and its body frame, the fit's targets, the garment's analysis) and its threshold has been
 * measured on the development photos (`npm run quality`), with what it refused written in docs/quality.md ("When the
 * engine refuses"). In force, both measured on the result's pixels against the photo's (result-measures.ts):
 * - blocky fills: the old garment repainted as flat, square, hard-edged blocks over REFUSE_BLOCKY_SHARE of the
 *   silhouette (`blockiness`);
 * - arms covered: the new garment drawn over the arms or hands in front of the body, REFUSE_ARM_SHARE of the counted
 *   keypoint samples and at least REFUSE_ARM_MIN of them (`armsCovered`).
 * The product's rule: a garish result is worse than a refusal (the credit is refunded, the shopper told what photo to
 * take). The arms refuse at the quality metric's own flag; the fills at 3 % where the metric flags 5 %.
 */
import type { PersonParsing } from '../body/parsing.js';
import type { CheckFinding } from '../engine.js';
import type { BodyTargets } from '../fit/targets.js';
import type { GarmentAnalysis } from '../garment/analyze.js';
import type { BinaryMask } from '../raster/mask.js';
import type { RawImage } from '../vision/types.js';
import { ARM_COVERED_MIN, ARM_COVERED_SHARE, armsCovered, blockiness } from './result-measures.js';

/** What a criterion may read of a composite (compose.ts `CompositeResult` builds on it), the photo and the garment. */
export interface CompositeForChecks {
  /** The person photo the result was drawn on. */
  person: RawImage;
  /** The result: the photo with the old garment's residue filled and the new garment drawn. */
  image: RawImage;
  /** Final garment coverage per pixel after occlusion (0..1). */
  garmentAlpha: Float32Array;
  /** The old garment region the new one replaces. */
  oldRegion: BinaryMask;
  /** Pixels repainted to hide the old garment where the new one does not cover it. */
  filled: BinaryMask;
  parsing: PersonParsing;
  targets: BodyTargets;
  garment: GarmentAnalysis;
}

/** A result criterion: its findings (usually none) for one composite. */
export type ResultCriterion = (result: CompositeForChecks) => CheckFinding[];

/**
 * Refused when blocky patches cover this share of the silhouette. Lower than the quality metric's `blocky` flag
 * (BLOCKY_SHARE, 5 %: calibrated on whether a result shows blocks): a refusal asks whether the result is garish, and on
 * the development sets every result from 3 to 5 % was (11, judged by eye at thumbnail size: a one-shoulder dress's
 * flat chest, a tee's neck cut-out filled flat, slabs beside the half-body astronaut), so each is better refused.
 * Below 3 % the results are mixed and the values dense (docs/quality.md, "When the engine refuses").
 */
export const REFUSE_BLOCKY_SHARE = 0.03;
/**
 * Refused when this share of the counted arm samples is covered, and at least REFUSE_ARM_MIN of them: the quality
 * metric's `armCovered`. Every result it flags on the development sets (8) shows an arm or hand gone under the new
 * garment.
 */
export const REFUSE_ARM_SHARE = ARM_COVERED_SHARE;
export const REFUSE_ARM_MIN = ARM_COVERED_MIN;

const round = (v: number, d = 3) => Math.round(v * 10 ** d) / 10 ** d;

/**
 * Blocky fills: where the new garment does not cover the old one, the residue fill repainted it; large flat, slab or
 * boxed patches of that read as paint at thumbnail size (a dress's skirt below a new top turned into a skin-coloured
 * slab). The silhouette is the parsing's person.
 */
export const blockyFills: ResultCriterion = (r) => {
  const b = blockiness(r.person, r.image, r.filled, r.garmentAlpha, r.parsing.person);
  if (b.share < REFUSE_BLOCKY_SHARE) return [];
  return [
    {
      code: 'QUALITY_CHECK_FAILED',
      severity: 'refuse',
      message:
        "The try-on would show large areas the engine had to invent; try a photo where the current top is closer to the new garment's shape.",
      measured: { blockyShare: round(b.share), blockyPatches: b.count },
    },
  ];
};

/**
 * Arms covered: arms and hands held against the body must stay in front of the new garment. Sampled along the
 * keypoints' bones (the parsing's body frame), so it does not grade the engine's arm masks by themselves.
 */
export const armsDrawnOver: ResultCriterion = (r) => {
  const a = armsCovered(r.person, r.image, r.garmentAlpha, r.parsing.frame, r.garment.cls);
  if (a.share < REFUSE_ARM_SHARE || a.covered < REFUSE_ARM_MIN) return [];
  return [
    {
      code: 'QUALITY_CHECK_FAILED',
      severity: 'refuse',
      message:
        "The garment would be drawn over the person's arms or hands; try a photo with the arms at the sides, away from the body.",
      measured: { armsCoveredShare: round(a.share), armSamplesCovered: a.covered, armSamples: a.counted },
    },
  ];
};

/** The criteria in force, in order. Add one with its measured threshold (see the file's comment). */
export const RESULT_CRITERIA: readonly ResultCriterion[] = [blockyFills, armsDrawnOver];

/** Every finding of every criterion on this composite. */
export function resultFindings(
  result: CompositeForChecks,
  criteria: readonly ResultCriterion[] = RESULT_CRITERIA,
): CheckFinding[] {
  return criteria.flatMap((c) => c(result));
}
