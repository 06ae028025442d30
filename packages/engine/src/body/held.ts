/**
 * Things held beside the body: a helmet on the hip, a large bag, a board. The person mask (the selfie segmentation)
 * takes in what a person holds, so a held object lies inside the silhouette but outside every part the body map
 * explains (the torso out to the silhouette at the shoulders, the arm and hand capsules, the head, the neck). The
 * new garment's sleeve or side stretch was drawn over it, and it belongs in front of the garment.
 *
 * Measured between the shoulder line and the hips on the 34 development persons: the half-body astronaut's held
 * helmet (and her bulky suit's sleeve beside the arm capsule) leave 0.42 of the torso's area unexplained; every other
 * person at most 0.012 (a loose sleeve's edge, a strand of hair), all of it in strips an opening removes.
 */
import { type BinaryMask, emptyMask } from '../raster/mask.js';
import { open } from '../raster/morphology.js';
import type { BodyFrame } from './frame.js';

/** Opening radius (shoulder widths): a strip of sleeve or hair beside an arm's capsule is narrower than this. */
const HELD_OPEN_SW = 0.08;

/**
 * The person's pixels between the shoulder line and the hips in none of the body's `parts`, but for strips narrower
 * than twice HELD_OPEN_SW.
 */
export function heldObjects(person: BinaryMask, parts: readonly BinaryMask[], frame: BodyFrame): BinaryMask {
  const { width: w, height: h } = person;
  const top = Math.max(0, Math.round((frame.lShoulder.y + frame.rShoulder.y) / 2));
  const bottom = Math.min(h, Math.round((frame.lHip.y + frame.rHip.y) / 2));
  const unexplained = emptyMask(w, h);
  let count = 0;
  for (let p = top * w; p < bottom * w; p++) {
    if (person.data[p] && !parts.some((m) => m.data[p])) {
      unexplained.data[p] = 1;
      count++;
    }
  }
  const r = Math.max(1, Math.round(frame.shoulderWidth * HELD_OPEN_SW));
  // Fewer pixels than one disk of the opening's radius: the erosion, and so the opening, is empty (the usual case).
  return count < diskPixels(r) ? emptyMask(w, h) : open(unexplained, r);
}

/** Pixels of the disk of radius r that the morphology erodes with (dx² + dy² ≤ r²). */
function diskPixels(r: number): number {
  let n = 0;
  for (let dy = -r; dy <= r; dy++) n += 2 * Math.floor(Math.sqrt(r * r - dy * dy)) + 1;
  return n;
}
