/**
 * The bare upper arm under an old sleeve. When the new garment is sleeveless (or its sleeves are shorter than the old
 * ones), the old sleeve must go, and what was under it is an arm the photo never showed. A flat skin-coloured fill
 * in the sleeve's outline reads as a brown sleeve: it keeps the sleeve's boxy shape (a sleeve stands off the arm) and
 * has none of the arm's shading.
 *
 * An upper arm is close to a cylinder, and below a short sleeve the same arm is in the photo. So the arm is continued
 * up from there: the colour profile across the arm in a band of rows just below the sleeve's hem (its light side, its
 * shadow side, its skin) is carried up along the bone line to the shoulder, widening a little towards the deltoid.
 * Old-sleeve pixels beside that continued arm stand off the body: they take the background.
 */

import type { BodyFrame } from '../body/frame.js';
import type { P } from '../raster/draw.js';
import type { BinaryMask } from '../raster/mask.js';
import type { RawImage } from '../vision/types.js';

/** How much wider the arm is at the shoulder joint than below the sleeve (the deltoid). */
const DELTOID_WIDENING = 0.25;

export type ArmFillSample = { kind: 'skin'; rgb: [number, number, number] } | { kind: 'background' };

/** An upper arm shorter than this (shoulder widths; foreshortened towards the camera) gives no arm to continue. */
const MIN_UPPER_ARM_SW = 0.2;
/** The sleeve's hem is looked for past the shoulder cap, this far down the bone from the joint. */
const SHOULDER_CAP_SW = 0.15;
/** The colour profile is taken this far across the bone each side: wider than any arm (the silhouette trims it). */
const PROFILE_RADIUS_SW = 0.18;
/** …over a band from this far below the hem (past its shadow) … */
const BAND_START_SW = 0.04;
/** …to this far below it (or the elbow). */
const BAND_END_SW = 0.16;
/** An arm seen narrower than this below the hem is not an arm to continue. */
const MIN_ARM_WIDTH_SW = 0.08;
/** Off the arm but within this distance of the bone line, an old sleeve pixel stands off the arm. */
const SLEEVE_REACH_SW = 0.3;
/** The sleeve's hem line and anti-aliased rim reach this far past the hem (at least 2 px). */
const HEM_RIM_SW = 0.03;

interface ArmModel {
  s: P;
  /** Unit vector along the bone (shoulder → elbow) and across it. */
  u: P;
  v: P;
  /** Where the sleeve ends along the bone (px from the shoulder joint). */
  hem: number;
  /** Colour profile across the arm below the hem, indexed by offset + radius; NaN where no arm was seen. */
  profile: Float32Array;
  radius: number;
  /** The arm's visible extent across the bone below the hem (offsets from the bone line). */
  lo: number;
  hi: number;
}

function buildArm(img: RawImage, skin: BinaryMask, old: BinaryMask, s: P, e: P, sw: number): ArmModel | null {
  const { width: w, height: h, channels: ch, data } = img;
  const length = Math.hypot(e.x - s.x, e.y - s.y);
  if (length < sw * MIN_UPPER_ARM_SW) return null;
  const u = { x: (e.x - s.x) / length, y: (e.y - s.y) / length };
  const v = { x: -u.y, y: u.x };
  const at = (t: number, n: number) => {
    const x = Math.round(s.x + u.x * t + v.x * n);
    const y = Math.round(s.y + u.y * t + v.y * n);
    return x < 0 || y < 0 || x >= w || y >= h ? -1 : y * w + x;
  };
  // The sleeve's hem: the first point down the bone line that is out of the old garment and is skin, past the
  // shoulder cap. A sleeve reaching the elbow leaves nothing to continue from.
  let hem = -1;
  for (let t = Math.round(sw * SHOULDER_CAP_SW); t < length * 0.95; t++) {
    const p = at(t, 0);
    if (p >= 0 && !old.data[p] && skin.data[p]) {
      hem = t;
      break;
    }
  }
  if (hem < 0) return null;
  // The profile: mean colour per offset across the bone, over a band from a little below the hem (its shadow) to the
  // elbow at most.
  const radius = Math.round(sw * PROFILE_RADIUS_SW);
  const t0 = Math.round(hem + sw * BAND_START_SW);
  const t1 = Math.floor(Math.min(length, hem + sw * BAND_END_SW));
  const rows = t1 - t0 + 1;
  if (rows < 3) return null;
  const sum = new Float64Array((2 * radius + 1) * 3);
  const count = new Float64Array(2 * radius + 1);
  for (let t = t0; t <= t1; t++) {
    for (let n = -radius; n <= radius; n++) {
      const p = at(t, n);
      if (p < 0 || !skin.data[p] || old.data[p]) continue;
      const i = n + radius;
      for (let c = 0; c < 3; c++) sum[i * 3 + c]! += data[p * ch + c]!;
      count[i]!++;
    }
  }
  const profile = new Float32Array((2 * radius + 1) * 3).fill(Number.NaN);
  // The arm is the run of offsets around the bone line seen as skin on at least half the band's rows.
  const seen = (n: number) => count[n + radius]! >= rows * 0.5;
  if (!seen(0)) return null;
  let lo = 0;
  while (lo - 1 >= -radius && seen(lo - 1)) lo--;
  let hi = 0;
  while (hi + 1 <= radius && seen(hi + 1)) hi++;
  if (hi - lo < sw * MIN_ARM_WIDTH_SW) return null;
  for (let n = lo; n <= hi; n++) {
    const i = n + radius;
    for (let c = 0; c < 3; c++) profile[i * 3 + c] = sum[i * 3 + c]! / count[i]!;
  }
  return { s, u, v, hem, profile, radius, lo, hi };
}

/** The continued arms: a sampler per pixel, and whether each upper arm (image left, image right) could be continued. */
export type ContinuedArms = ((x: number, y: number) => ArmFillSample | null) & { continued: [boolean, boolean] };

/**
 * Builds the continued arms for a person. `old` is the old garment region; returns a sampler giving, for a pixel,
 * the continued arm's colour, 'background' for an old sleeve standing off the arm, or null for pixels that are not
 * on an upper arm above a sleeve hem (left to the other fills); its `continued` says which arms have a model.
 */
export function continuedUpperArms(img: RawImage, frame: BodyFrame, skin: BinaryMask, old: BinaryMask): ContinuedArms {
  const sw = frame.shoulderWidth;
  const models = (
    [
      [frame.lShoulder, frame.lElbow],
      [frame.rShoulder, frame.rElbow],
    ] as const
  ).map(([s, e]) => (e ? buildArm(img, skin, old, s, e, sw) : null));
  const continued: [boolean, boolean] = [models[0] !== null, models[1] !== null];
  const arms = models.filter((m): m is ArmModel => m !== null);
  if (arms.length === 0) return Object.assign(() => null, { continued });
  // Off the arm but within this distance of the bone line, an old sleeve pixel stands off the arm.
  const sleeveReach = sw * SLEEVE_REACH_SW;
  const hemRim = Math.max(2, sw * HEM_RIM_SW);
  const sample = (x: number, y: number): ArmFillSample | null => {
    let best: { arm: ArmModel; t: number; n: number } | null = null;
    let bestD = Number.POSITIVE_INFINITY;
    for (const arm of arms) {
      const dx = x - arm.s.x;
      const dy = y - arm.s.y;
      const t = dx * arm.u.x + dy * arm.u.y;
      const n = dx * arm.v.x + dy * arm.v.y;
      // A little past the hem too: its shadow line and anti-aliased rim belong to the sleeve.
      if (t < 0 || t > arm.hem + hemRim) continue;
      if (Math.abs(n) < bestD) {
        bestD = Math.abs(n);
        best = { arm, t, n };
      }
    }
    if (!best || bestD > sleeveReach) return null;
    const { arm, t, n } = best;
    // Wider towards the shoulder: offsets are scaled back to the profile's.
    const widen = 1 + DELTOID_WIDENING * Math.max(0, 1 - t / arm.hem);
    const m = n / widen;
    if (m < arm.lo - 0.5 || m > arm.hi + 0.5) return { kind: 'background' };
    const i = Math.max(arm.lo, Math.min(arm.hi, Math.round(m))) + arm.radius;
    return { kind: 'skin', rgb: [arm.profile[i * 3]!, arm.profile[i * 3 + 1]!, arm.profile[i * 3 + 2]!] };
  };
  return Object.assign(sample, { continued });
}
