/** The body frame: the keypoints the parsing and the fit stand on, named by image side, and the shoulder width. */
import type { P } from '../raster/draw.js';
import type { Keypoint, KeypointName, PersonDetection } from '../vision/types.js';
import { HALF_BODY_HIP_DROP_SW, HALF_BODY_HIP_HALF_WIDTH_SW } from './proportions.js';

export interface BodyFrame {
  lShoulder: P;
  rShoulder: P;
  lHip: P;
  rHip: P;
  lElbow: P | null;
  rElbow: P | null;
  lWrist: P | null;
  rWrist: P | null;
  lKnee: P | null;
  rKnee: P | null;
  lAnkle: P | null;
  rAnkle: P | null;
  nose: P | null;
  shoulderWidth: number;
  /** Whether the hips were seen (score) or extrapolated from the shoulders (half-body photo). */
  hipsSeen: boolean;
}

const MIN_SCORE = 0.3;

function kp(det: PersonDetection, name: KeypointName): Keypoint | null {
  const k = det.keypoints.find((p) => p.part === name);
  return k && k.score >= MIN_SCORE ? k : null;
}

/** The body frame from keypoints; null when the shoulders are not both seen. Note: MoveNet's "left" is the person's
 * left, which is image right in a front-facing photo. We name by image side: l = smaller x. */
export function bodyFrame(det: PersonDetection): BodyFrame | null {
  const a = kp(det, 'leftShoulder');
  const b = kp(det, 'rightShoulder');
  if (!a || !b) return null;
  const swap = a.x < b.x; // person's left on image left = seen from the back or mirrored; keep image sides anyway
  const pick = (l: KeypointName, r: KeypointName): [P | null, P | null] => {
    const pl = kp(det, l);
    const pr = kp(det, r);
    // image-left is the person's right for a front-facing person
    return swap ? [pl, pr] : [pr, pl];
  };
  const [lS, rS] = pick('leftShoulder', 'rightShoulder');
  const [lE, rE] = pick('leftElbow', 'rightElbow');
  const [lW, rW] = pick('leftWrist', 'rightWrist');
  const [lH, rH] = pick('leftHip', 'rightHip');
  const [lK, rK] = pick('leftKnee', 'rightKnee');
  const [lA, rA] = pick('leftAnkle', 'rightAnkle');
  const sw = Math.hypot(rS!.x - lS!.x, rS!.y - lS!.y);
  let lHip = lH;
  let rHip = rH;
  const hipsSeen = !!(lHip && rHip);
  if (!lHip || !rHip) {
    // Half-body photo: extrapolate hips at a typical torso length (shoulder → hip ≈ 1.45 × shoulder width) below,
    // narrower than the shoulders.
    const mx = (lS!.x + rS!.x) / 2;
    const my = (lS!.y + rS!.y) / 2;
    lHip = { x: mx - sw * HALF_BODY_HIP_HALF_WIDTH_SW, y: my + sw * HALF_BODY_HIP_DROP_SW };
    rHip = { x: mx + sw * HALF_BODY_HIP_HALF_WIDTH_SW, y: my + sw * HALF_BODY_HIP_DROP_SW };
  }
  const nose = kp(det, 'nose');
  return {
    lShoulder: lS!,
    rShoulder: rS!,
    lHip,
    rHip,
    lElbow: lE,
    rElbow: rE,
    lWrist: lW,
    rWrist: rW,
    lKnee: lK,
    rKnee: rK,
    lAnkle: lA,
    rAnkle: rA,
    nose,
    shoulderWidth: sw,
    hipsSeen,
  };
}
