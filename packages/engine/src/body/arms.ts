/** The arms: capsules along the bones, and the part of each arm that hangs against the torso. */
import { drawCapsule, type P } from '../raster/draw.js';
import { and, type BinaryMask, emptyMask, maskBounds, or } from '../raster/mask.js';
import type { BodyFrame } from './frame.js';
import {
  ARM_WIDTH_SW,
  ARMPITS_BELOW_SHOULDERS_SW,
  FOREARM_RADIUS_SW,
  HAND_RADIUS_SW,
  UPPER_ARM_RADIUS_SW,
} from './proportions.js';

/** A hand reaches past the wrist by this share of the forearm's length. */
const HAND_LENGTH = 0.4;

export interface ArmCapsules {
  /** The whole arm (upper arm, forearm, hand) on the person. */
  arm: BinaryMask;
  /** Forearm and hand only: the parts that may come in front of the torso. */
  fore: BinaryMask;
}

/** The hand's capsule, past the wrist along the forearm. */
function drawHand(m: BinaryMask, e: P, wr: P, sw: number): void {
  const tip = { x: wr.x + (wr.x - e.x) * HAND_LENGTH, y: wr.y + (wr.y - e.y) * HAND_LENGTH };
  drawCapsule(m, wr, tip, sw * HAND_RADIUS_SW);
}

/** Both hands' capsules (where an elbow and a wrist were seen), unclipped. */
export function handCapsules(frame: BodyFrame, w: number, h: number): BinaryMask {
  const hands = emptyMask(w, h);
  for (const [e, wr] of [
    [frame.lElbow, frame.lWrist],
    [frame.rElbow, frame.rWrist],
  ] as const) {
    if (e && wr) drawHand(hands, e, wr, frame.shoulderWidth);
  }
  return hands;
}

/**
 * One arm as capsules along shoulder → elbow → wrist (+ hand), as wide as an arm can be, clipped to the person mask.
 * Empty without an elbow; no forearm without a wrist.
 */
export function armCapsules(person: BinaryMask, s: P, e: P | null, wr: P | null, sw: number): ArmCapsules {
  const { width: w, height: h } = person;
  const arm = emptyMask(w, h);
  const fore = emptyMask(w, h);
  if (!e) return { arm, fore };
  drawCapsule(arm, s, e, sw * UPPER_ARM_RADIUS_SW);
  if (wr) {
    drawCapsule(fore, e, wr, sw * FOREARM_RADIUS_SW);
    drawHand(fore, e, wr, sw);
  }
  const both = or(arm, fore);
  return { arm: and(both, person), fore: and(fore, person) };
}

/**
 * The arms where they hang against the body. An arm hanging straight down from its shoulder joint has half its width
 * on the body's side of the joint, so the joint-to-hip polygon takes it in, and the arm capsules (drawn round the
 * bone line, as wide as an arm can be) would take a slice of chest with them. The outer edge of an arm is always
 * silhouette, though: per row below the armpits, the arm is the arm's width inward from the outermost person pixel
 * of its capsule, up to a gap if there is one (an arm held off the body).
 */
export function armsBesideTorso(person: BinaryMask, armL: BinaryMask, armR: BinaryMask, frame: BodyFrame): BinaryMask {
  const { width: w, height: h } = person;
  const out = emptyMask(w, h);
  const armW = Math.round(frame.shoulderWidth * ARM_WIDTH_SW);
  const y0 = Math.max(
    0,
    Math.round((frame.lShoulder.y + frame.rShoulder.y) / 2 + frame.shoulderWidth * ARMPITS_BELOW_SHOULDERS_SW),
  );
  for (const [arm, side] of [
    [armL, 1],
    [armR, -1],
  ] as const) {
    const b = maskBounds(arm);
    if (!b) continue;
    for (let y = Math.max(y0, b[1]); y <= b[3]; y++) {
      const row = y * w;
      // The outermost capsule pixel on the row: scanning inward (side = +1 from the left, -1 from the right).
      let x = side === 1 ? b[0] : b[2];
      while (x >= b[0] && x <= b[2] && !arm.data[row + x]) x += side;
      if (x < b[0] || x > b[2]) continue;
      for (let d = 0; d < armW && x >= 0 && x < w && person.data[row + x]; d++, x += side) out.data[row + x] = 1;
    }
  }
  return out;
}
