/**
 * The garment clipped to the body (plus a small margin): a loose flat-lay outline must not float over the
 * background. The margin lets the garment stand off the body by a few pixels, as real cloth does.
 */
import { skirtZone } from '../body/legs.js';
import type { PersonParsing } from '../body/parsing.js';
import type { BodyTargets } from '../fit/targets.js';
import type { GarmentLayer } from '../fit/warp.js';
import type { GarmentAnalysis } from '../garment/analyze.js';
import { or } from '../raster/mask.js';
import { dilate } from '../raster/morphology.js';

/** The silhouette is edge-refined (body/silhouette.ts), so the margin is 1.5 px: the anti-aliased edge. */
const BODY_MARGIN_PX = 1.5;

/** The garment's coverage per pixel (0..1): the layer's, inside the body zone. */
export function clipToBody(
  layer: GarmentLayer,
  parsing: PersonParsing,
  garment: GarmentAnalysis,
  targets: BodyTargets,
): Float32Array {
  const n = layer.width * layer.height;
  let bodyZone = dilate(parsing.person, BODY_MARGIN_PX);
  const skirtLike = garment.cls.category === 'dress' || (garment.cls.category === 'lower' && !garment.bottom?.crotch);
  if (skirtLike) {
    // A skirt bridges the gap between the legs, from the crotch (a little below the hip joints) to the hem, and
    // keeps its own flare; the warped garment's outline bounds it within that zone.
    bodyZone = or(bodyZone, skirtZone(parsing, garment.cls.category as 'dress' | 'lower', targets.hemCenter.y));
  }
  const alpha = new Float32Array(n);
  for (let p = 0; p < n; p++) alpha[p] = bodyZone.data[p] ? layer.alpha[p]! : 0;
  return alpha;
}
