/** The old garment region the new garment replaces. */
import type { PersonParsing } from '../body/parsing.js';
import type { BodyTargets } from '../fit/targets.js';
import type { GarmentAnalysis } from '../garment/analyze.js';
import { type BinaryMask, emptyMask, or } from '../raster/mask.js';

/** The current upper garment; for a dress, with the lower one above the dress's hem; for a bottom, the lower one. */
export function oldGarmentRegion(parsing: PersonParsing, garment: GarmentAnalysis, targets: BodyTargets): BinaryMask {
  const { width: w, height: h } = parsing;
  const n = w * h;
  let old = parsing.upperClothes;
  if (garment.cls.category === 'dress') {
    const hemY = targets.hemCenter.y;
    const lower = emptyMask(w, h);
    for (let p = 0; p < n; p++) if (parsing.lowerClothes.data[p] && p / w < hemY) lower.data[p] = 1;
    old = or(old, lower);
  } else if (garment.cls.category === 'lower') {
    // A bottom replaces the lower garment only, from the waistband down: the top above it is left as it is.
    const waistY = Math.min(targets.shoulderLeft.y, targets.shoulderRight.y);
    // Below a skirt's hem the old garment stays (as under a dress): the legs it hides are unknown, and a skin-coloured
    // guess of a whole leg looks worse than the old trousers. Trousers replace it down to their hem.
    const hemY = garment.bottom?.crotch ? h : targets.hemCenter.y;
    old = emptyMask(w, h);
    for (let p = Math.max(0, Math.ceil(waistY)) * w; p < Math.min(h, Math.ceil(hemY)) * w; p++)
      old.data[p] = parsing.lowerClothes.data[p]!;
  }
  return old;
}
