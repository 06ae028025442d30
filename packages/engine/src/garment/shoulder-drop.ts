/**
 * Sleeves laid against the body: when a flat-lay's sleeves hang down beside its body and touch it along their
 * length, no gap and no jump in the outline tells where they join it. The landmarks then put a "shoulder" halfway
 * down a side (where a cuff's corner sticks out) and the garment is fitted with its sleeves as part of its body:
 * the result is a blob of the garment's colour over the torso. The engine refuses such a product photo.
 */
import type { GarmentLandmarks } from './landmarks.js';

/**
 * The lowest a shoulder may lie below the garment's top, as a share of its height. On the 55 flat-lays of the
 * development sets: at most 0.104 (a boxy tee) for every garment but the two blouses whose sleeves lie against their
 * bodies (0.41 and 0.46). Garments cut off a model are not judged: their shoulders come from the model's body.
 */
export const MAX_SHOULDER_DROP = 0.25;

/** How far below the garment's top its lower shoulder lies, as a share of the garment's height. */
export function shoulderDrop(lm: GarmentLandmarks): number {
  const [, y0, , y1] = lm.bbox;
  const height = Math.max(1, y1 - y0);
  return (Math.max(lm.shoulderLeft.y, lm.shoulderRight.y) - y0) / height;
}
