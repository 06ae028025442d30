/**
 * The fit: garment landmarks → body targets, and the per-part forward maps (garment pixel → person pixel). Tops and
 * dresses are fitted by fit-top.ts (torso panel, hem, sleeves), bottoms by fit-bottom.ts (waistband, legs).
 */
import type { PersonParsing } from '../body/parsing.js';
import type { GarmentAnalysis } from '../garment/analyze.js';
import { fitBottom } from './fit-bottom.js';
import { fitTop } from './fit-top.js';
import type { GarmentFit } from './targets.js';

export function fitGarment(g: GarmentAnalysis, parsing: PersonParsing): GarmentFit {
  // Bottoms have their own landmarks (waistband, crotch, leg hems) and their own fit.
  return g.cls.category === 'lower' ? fitBottom(g, parsing) : fitTop(g, parsing);
}
