/**
 * Cold-shoulder and off-shoulder tops: sleeves that hang below bare shoulders, held up by straps.
 *
 * The composite engine fits a garment's shoulder corners to the body's shoulder joints. On these tops the corners it
 * finds are the tops of the flounce sleeves, below the straps: fitted to the joints, the sleeves stand out as wings or
 * fall over hanging arms, and the bare shoulders the product is sold for are covered. So the engine refuses them.
 *
 * Laid flat they show a shape no other top has: thin straps rising well above the garment's widest rows, AND sleeves.
 * A camisole or a strappy dress has straps and no sleeves (and on a dress the straps are a small share of the height);
 * a tee or a blouse has sleeves and a neckline that is wide from its first rows.
 */

import type { BinaryMask } from '../raster/mask.js';
import { maskBounds } from '../raster/mask.js';
import type { GarmentLandmarks } from './landmarks.js';

/** A row of the garment this narrow (share of its bounding box's width) is straps, or a bow, not the body. */
const STRAP_ROW_WIDTH = 0.08;
/**
 * Straps reaching down this share of the garment's height make it off-shoulder when it also has sleeves. Measured
 * on the 55 flat-lays of the two development sets: the cold-shoulder top 0.20; every other one 0.025 or less (strappy
 * dresses 0.003, their straps being short against their length).
 */
export const MIN_OFF_SHOULDER_STRAPS = 0.1;

/** The share of the garment's height, from its top, whose rows are all narrower than STRAP_ROW_WIDTH. */
export function strapShare(mask: BinaryMask): number {
  const bounds = maskBounds(mask);
  if (!bounds) return 0;
  const [x0, y0, x1, y1] = bounds;
  const narrow = STRAP_ROW_WIDTH * (x1 - x0 + 1);
  let rows = 0;
  for (let y = y0; y <= y1; y++) {
    let width = 0;
    for (let x = x0; x <= x1; x++) width += mask.data[y * mask.width + x]!;
    if (width >= narrow) break;
    rows++;
  }
  return rows / (y1 - y0 + 1);
}

/** True for a flat-lay with sleeves on both sides hanging from straps (see the file's comment). */
export function isOffShoulder(mask: BinaryMask, landmarks: GarmentLandmarks): boolean {
  return !!landmarks.sleeveLeft && !!landmarks.sleeveRight && strapShare(mask) >= MIN_OFF_SHOULDER_STRAPS;
}
