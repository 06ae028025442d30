/** The torso and the upper body: polygons from the shoulders to the hips pushed out to the silhouette. */
import { drawPolygon, type P } from '../raster/draw.js';
import { and, andNot, type BinaryMask, emptyMask } from '../raster/mask.js';
import type { BodyFrame } from './frame.js';
import { HIP_PUSH_MAX_SW, SHOULDER_PUSH_MAX_SW, TORSO_TOP_RAISE_SW } from './proportions.js';
import { edgeAlong } from './silhouette.js';

/**
 * The shoulders down to the hips pushed out to the silhouette, polygon ∩ person − head − neck, twice:
 * - torso: the upper corners are the shoulder joints themselves, not the silhouette edge beside them. As in
 *   DensePose's part labels, the torso ends at the shoulder joint and the armpit, and the deltoid and the upper arm
 *   are arm: a polygon out to the deltoid's edge also took in the upper arm wherever it hangs against the body, so a
 *   tank top or a vest "missed" torso that was arm.
 * - upperBody: the upper corners pushed out to the silhouette at shoulder height: where a top's body panel can lie.
 * Arms are taken out afterwards (parsing.ts), once the old top is known.
 */
export function torsoRegions(
  person: BinaryMask,
  head: BinaryMask,
  neck: BinaryMask,
  frame: BodyFrame,
): { torso: BinaryMask; upperBody: BinaryMask } {
  const { width: w, height: h } = person;
  const sw = frame.shoulderWidth;
  const pushOut = (p: P, dirX: number, maxD: number): P => {
    const d = edgeAlong(person, p, dirX, 0, maxD);
    return { x: p.x + dirX * d, y: p.y };
  };
  const lH = pushOut(frame.lHip, -1, sw * HIP_PUSH_MAX_SW);
  const rH = pushOut(frame.rHip, 1, sw * HIP_PUSH_MAX_SW);
  const raise = sw * TORSO_TOP_RAISE_SW;
  const quad = (top: [P, P]) => {
    const m = emptyMask(w, h);
    drawPolygon(m, [{ x: top[0].x, y: top[0].y - raise }, { x: top[1].x, y: top[1].y - raise }, rH, lH]);
    return andNot(andNot(and(m, person), head), neck);
  };
  const upperBody = quad([
    pushOut(frame.lShoulder, -1, sw * SHOULDER_PUSH_MAX_SW),
    pushOut(frame.rShoulder, 1, sw * SHOULDER_PUSH_MAX_SW),
  ]);
  // With tilted shoulders the joint-to-joint top edge can run a row above the edge-to-edge one: the torso is kept
  // inside the upper body.
  const torso = and(quad([frame.lShoulder, frame.rShoulder]), upperBody);
  return { torso, upperBody };
}
