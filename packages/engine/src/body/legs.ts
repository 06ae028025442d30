/** The legs' hull, and where a skirt may hang beside the silhouette. */
import { type BinaryMask, emptyMask } from '../raster/mask.js';
import type { PersonParsing } from './parsing.js';
import { LEG_REACH_SW, SKIRT_BELOW_HEM_SW, SKIRT_FLARE_SW } from './proportions.js';

/**
 * Where a skirt-like garment (a dress, or a bottom without a crotch) may hang beside the silhouette: the legs' hull
 * from the hips to a little below the hem, and for a skirt its own flare. A dress's skirt stays within the hull: the
 * flat-lay dress fixtures are photographed with their skirts spread wider than they hang.
 */
export function skirtZone(parsing: PersonParsing, category: 'dress' | 'lower', hemY: number): BinaryMask {
  const f = parsing.frame;
  const sw = f.shoulderWidth;
  const flare = category === 'lower' ? sw * SKIRT_FLARE_SW : 0;
  // A dress hangs from its widest row down, never narrower: below a wide old skirt's hem the legs alone are narrower,
  // and a midi dress clipped to them came out with a step at the old hem.
  return legHull(parsing, (f.lHip.y + f.rHip.y) / 2, hemY + sw * SKIRT_BELOW_HEM_SW, flare, category === 'dress');
}

/**
 * The legs' hull between rows y0 and y1: per row, the span from the leftmost to the rightmost leg pixel (person
 * pixels that are not arm or hand capsules, near the hips horizontally). A skirt hangs as a tube from the hips, so
 * it covers the background between the legs. `flare` (px at y1, growing linearly from 0 at y0) widens the span on
 * both sides: an A-line skirt stands out past the legs' outer edges. With `neverNarrower` a row's span is at least the
 * row above's (a dress hangs down from its widest row).
 */
export function legHull(parsing: PersonParsing, y0: number, y1: number, flare = 0, neverNarrower = false): BinaryMask {
  const { width: w, height: h, person, frame } = parsing;
  const out = emptyMask(w, h);
  const sw = frame.shoulderWidth;
  const xl = Math.min(frame.lHip.x, frame.rHip.x) - sw * LEG_REACH_SW;
  const xr = Math.max(frame.lHip.x, frame.rHip.x) + sw * LEG_REACH_SW;
  const arms = [parsing.armLeft.data, parsing.armRight.data, parsing.forearmLeft.data, parsing.forearmRight.data];
  let prevA = -1;
  let prevB = -1;
  for (let y = Math.max(0, Math.floor(y0)); y <= Math.min(h - 1, Math.ceil(y1)); y++) {
    let a = -1;
    let b = -1;
    for (let x = Math.max(0, Math.floor(xl)); x <= Math.min(w - 1, Math.ceil(xr)); x++) {
      const p = y * w + x;
      if (!person.data[p] || arms.some((m) => m[p])) continue;
      if (a < 0) a = x;
      b = x;
    }
    if (neverNarrower && prevA >= 0) {
      a = a < 0 ? prevA : Math.min(a, prevA);
      b = Math.max(b, prevB);
    }
    if (a < 0) continue;
    prevA = a;
    prevB = b;
    const f = Math.round((flare * (y - y0)) / Math.max(1, y1 - y0));
    for (let x = Math.max(0, a - f); x <= Math.min(w - 1, b + f); x++) out.data[y * w + x] = 1;
  }
  return out;
}
