/**
 * The engine's judgement of its own result (QUALITY_CHECK_FAILED): the place where result criteria go. `composeTryOn`
 * calls `resultFindings` on every composite it made; in strict mode a `refuse` finding fails the try-on with the
 * finding's message as the shopper's `errorMessage` (refunded), in lenient mode it is reported in the engine output's
 * `diagnostics.checks`, and a `warn` finding is only reported.
 *
 * A criterion belongs here when it can be measured on the composite (the drawn garment's coverage, the old-garment
 * region, the pixels filled, the parsing, the fit's targets) and its threshold has been measured on the development
 * photos (`npm run quality`), with its margin written in docs/quality.md ("When the engine refuses"). None is in force
 * yet: the share of the garment region invented by fills and arms in front covered are planned.
 */
import type { PersonParsing } from '../body/parsing.js';
import type { CheckFinding } from '../engine.js';
import type { BodyTargets } from '../fit/targets.js';
import type { GarmentAnalysis } from '../garment/analyze.js';
import type { BinaryMask } from '../raster/mask.js';

/** What a criterion may read of a composite (compose.ts `CompositeResult` without the pixels and timings). */
export interface CompositeForChecks {
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

/** The criteria in force, in order. Add one with its measured threshold (see the file's comment). */
export const RESULT_CRITERIA: readonly ResultCriterion[] = [];

/** Every finding of every criterion on this composite. */
export function resultFindings(
  result: CompositeForChecks,
  criteria: readonly ResultCriterion[] = RESULT_CRITERIA,
): CheckFinding[] {
  return criteria.flatMap((c) => c(result));
}
