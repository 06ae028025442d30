/**
 * Poses the composite engine refuses (UNSUPPORTED_POSE), judged from the body frame alone: seated or crouching, arms
 * crossed or held across the torso, lying or upside down. A garment drawn over crossed arms or on a seated body's
 * foreshortened thighs reads as garish at thumbnail size, which is worse for a shop than a clear, refunded failure.
 *
 * Every length is in shoulder widths (the body's unit, body/proportions.ts). Each check errs towards letting a photo
 * through: a half-body photo (hips extrapolated, no knees) is never called seated, hands on the hips are never called
 * crossed. The margins of the development photos against each threshold are in docs/quality.md ("When the engine
 * refuses"); `poseMeasures` gives the numbers, `poseFindings` the verdicts.
 */
import type { CheckFinding } from '../engine.js';
import type { P } from '../raster/draw.js';
import type { BodyFrame } from './frame.js';

// ---- seated or crouching ----

/**
 * A standing person's knee is 1.0–1.4 shoulder widths below the hip (a thigh is ~1.2, KNEES_BELOW_HIPS_SW). Seated
 * facing the camera the thigh points at the lens and shrinks to a fraction of that; seated in profile or crouching it
 * is horizontal (drop ~0) or the knee rises above the hip (negative). Below this drop, on every knee seen: seated.
 */
export const SEATED_KNEE_DROP_SW = 0.55;
/**
 * A hip or knee this close to the photo's bottom edge is not trusted for the seated check: on a photo cut at the hips
 * MoveNet may put a knee it cannot see on the bottom edge, just below the hips.
 */
export const SEATED_EDGE_MARGIN_SW = 0.15;

// ---- arms ----

/**
 * A wrist this far past the torso's midline, on the other arm's side, means the arm crosses the body (crossed arms, a
 * hand on the other shoulder). Hands clasped in front sit about on the midline, hands on the hips ~0.4 on their own
 * side; crossed arms put each wrist near the other elbow, 0.3–0.6 past it.
 */
export const CROSS_WRIST_PAST_MIDLINE_SW = 0.2;
/** The band of heights where a crossing arm covers the torso: from a little above the shoulders to below the hips. */
export const ARMS_BAND_ABOVE_SHOULDERS_SW = 0.3;
export const ARMS_BAND_BELOW_HIPS_SW = 0.3;
/**
 * A forearm lies across the torso when it is within this angle of the horizontal, points inwards, and its wrist is
 * within `ACROSS_WRIST_NEAR_MIDLINE_SW` of the midline. Hands on the hips also hold the forearms near horizontal, but
 * their wrists stay at the body's sides (~0.4 and beyond), so both conditions are needed, on both arms.
 */
export const ACROSS_FOREARM_MAX_ANGLE_DEG = 35;
export const ACROSS_WRIST_NEAR_MIDLINE_SW = 0.3;

// ---- lying ----

/** Standing people lean a few degrees; a torso (shoulders' to hips' midpoint) tilted past this is lying. */
export const LYING_TORSO_TILT_DEG = 45;

/** The numbers the verdicts come from (null: not measurable on this photo, e.g. no knees seen). */
export interface PoseMeasures {
  /** Largest knee-below-hip drop of the knees seen, in shoulder widths (negative: both knees above the hips). */
  kneeDropSw: number | null;
  /** How far the furthest wrist lies past the torso's midline on the other arm's side (negative: on its own side). */
  wristPastMidlineSw: number | null;
  /** Per arm (image left, image right): the forearm's angle from the horizontal, degrees; null without elbow+wrist. */
  forearmAngleDeg: [number | null, number | null];
  /** Per arm: the wrist's distance from the midline, in shoulder widths. */
  wristFromMidlineSw: [number | null, number | null];
  /** Whether both forearms lie across the torso (see ACROSS_*). */
  forearmsAcross: boolean;
  /** The torso axis' angle from the vertical, degrees; null when the hips were extrapolated. */
  torsoTiltDeg: number | null;
  /** A shoulder below its hip. */
  shouldersBelowHips: boolean;
}

export interface PoseCheckOptions {
  /** The photo's size (the seated check ignores points on its bottom edge). */
  width: number;
  height: number;
  /** Judge the arms (tops and dresses: the arms lie over what is drawn). Default true. */
  arms?: boolean;
}

const mid = (a: P, b: P): P => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
const DEG = 180 / Math.PI;

/** The torso's midline x at height y: the shoulders' midpoint to the hips' midpoint, held beyond them. */
function midlineX(frame: BodyFrame, y: number): number {
  const s = mid(frame.lShoulder, frame.rShoulder);
  const h = mid(frame.lHip, frame.rHip);
  if (h.y <= s.y) return s.x;
  const t = Math.max(0, Math.min(1, (y - s.y) / (h.y - s.y)));
  return s.x + (h.x - s.x) * t;
}

export function poseMeasures(frame: BodyFrame, options: PoseCheckOptions): PoseMeasures {
  const sw = frame.shoulderWidth;
  const shoulders = mid(frame.lShoulder, frame.rShoulder);
  const hips = mid(frame.lHip, frame.rHip);

  // Seated: only with hips seen (extrapolated hips say nothing about the legs) and knees inside the photo.
  let kneeDropSw: number | null = null;
  if (frame.hipsSeen) {
    const bottom = options.height - sw * SEATED_EDGE_MARGIN_SW;
    for (const [hip, knee] of [
      [frame.lHip, frame.lKnee],
      [frame.rHip, frame.rKnee],
    ] as const) {
      if (!knee || knee.y > bottom || hip.y > bottom) continue;
      const drop = (knee.y - hip.y) / sw;
      kneeDropSw = kneeDropSw === null ? drop : Math.max(kneeDropSw, drop); // seated: every knee seen is high
    }
  }

  // Arms. Side +1: the image-left arm, whose "other side" is x > midline.
  const bandTop = shoulders.y - sw * ARMS_BAND_ABOVE_SHOULDERS_SW;
  const bandBottom = hips.y + sw * ARMS_BAND_BELOW_HIPS_SW;
  let wristPastMidlineSw: number | null = null;
  const forearmAngleDeg: [number | null, number | null] = [null, null];
  const wristFromMidlineSw: [number | null, number | null] = [null, null];
  const across: [boolean, boolean] = [false, false];
  const arms = [
    [frame.lElbow, frame.lWrist, 1],
    [frame.rElbow, frame.rWrist, -1],
  ] as const;
  arms.forEach(([elbow, wrist, side], i) => {
    if (!wrist) return;
    const m = midlineX(frame, wrist.y);
    const inBand = wrist.y >= bandTop && wrist.y <= bandBottom;
    const past = (side * (wrist.x - m)) / sw;
    wristFromMidlineSw[i] = Math.abs(wrist.x - m) / sw;
    if (inBand) wristPastMidlineSw = wristPastMidlineSw === null ? past : Math.max(wristPastMidlineSw, past);
    if (!elbow) return;
    const dx = wrist.x - elbow.x;
    const dy = wrist.y - elbow.y;
    const angle = Math.atan2(Math.abs(dy), Math.abs(dx)) * DEG;
    forearmAngleDeg[i] = angle;
    const inwards = side * dx > 0;
    across[i] =
      inBand &&
      inwards &&
      angle <= ACROSS_FOREARM_MAX_ANGLE_DEG &&
      Math.abs(wrist.x - m) <= sw * ACROSS_WRIST_NEAR_MIDLINE_SW;
  });

  return {
    kneeDropSw,
    wristPastMidlineSw,
    forearmAngleDeg,
    wristFromMidlineSw,
    forearmsAcross: across[0] && across[1],
    torsoTiltDeg: frame.hipsSeen ? Math.atan2(Math.abs(hips.x - shoulders.x), hips.y - shoulders.y) * DEG : null,
    shouldersBelowHips: frame.lShoulder.y > frame.lHip.y || frame.rShoulder.y > frame.rHip.y,
  };
}

const round = (v: number) => Math.round(v * 100) / 100;

/** The pose findings (`refuse`, or `fatal` for a body lying or upside down): empty for a standing person with the arms free. */
export function poseFindings(frame: BodyFrame, options: PoseCheckOptions): CheckFinding[] {
  const m = poseMeasures(frame, options);
  const out: CheckFinding[] = [];
  const refuse = (message: string, measured: Record<string, number>) =>
    out.push({ code: 'UNSUPPORTED_POSE', severity: 'refuse', message, measured });
  if (m.shouldersBelowHips || (m.torsoTiltDeg !== null && m.torsoTiltDeg > LYING_TORSO_TILT_DEG)) {
    // Fatal, lenient or not: the parsing and the fit read the body row by row, shoulders above hips.
    out.push({
      code: 'UNSUPPORTED_POSE',
      severity: 'fatal',
      message: 'The person appears to be lying down or upside down; try-on needs an upright, standing photo.',
      measured: { torsoTiltDeg: round(m.torsoTiltDeg ?? 180) },
    });
    return out; // the other measures assume an upright body
  }
  if (m.kneeDropSw !== null && m.kneeDropSw < SEATED_KNEE_DROP_SW) {
    refuse('The person appears to be seated or crouching; try-on needs a standing photo.', {
      kneeDropSw: round(m.kneeDropSw),
    });
  }
  if (options.arms !== false) {
    if (m.wristPastMidlineSw !== null && m.wristPastMidlineSw > CROSS_WRIST_PAST_MIDLINE_SW) {
      refuse('The person’s arms are crossed in front of the body; try-on needs a photo with the arms free.', {
        wristPastMidlineSw: round(m.wristPastMidlineSw),
      });
    } else if (m.forearmsAcross) {
      refuse('The person’s arms are held across the body; try-on needs a photo with the arms free.', {
        forearmAngleLeftDeg: round(m.forearmAngleDeg[0]!),
        forearmAngleRightDeg: round(m.forearmAngleDeg[1]!),
      });
    }
  }
  return out;
}
