/** Old sleeves: the bare arm under an old sleeve continued from below its hem, or the wall where it stood off the arm. */
import type { PersonParsing } from '../body/parsing.js';
import type { BinaryMask, Box } from '../raster/mask.js';
import { maskBounds } from '../raster/mask.js';
import type { RawImage } from '../vision/types.js';
import { type ArmFillSample, continuedUpperArms } from './arm-fill.js';
import { oldBottomCloth } from './old-region.js';

function growBox(box: Box, x: number, y: number): void {
  box[0] = Math.min(box[0], x);
  box[1] = Math.min(box[1], y);
  box[2] = Math.max(box[2], x);
  box[3] = Math.max(box[3], y);
}

/** What an old-sleeve pixel becomes (see oldSleeves): the bare arm under it, or background beside the arm. */
export const ON_ARM = 1;
export const OFF_ARM = 2;

/**
 * Old sleeves (residue above the elbows and outside the shoulder joints, off the torso and the neck): each pixel is
 * either the bare upper arm under the sleeve, continued up from below its hem (arm-fill.ts), or sleeve standing off
 * the arm, with no body under it (background). Without an arm to continue, a pixel outside the upper body and the
 * arm capsules stands off. The sleeve's anti-aliased rim (a line of lavender-over-skin or lavender-over-wall pixels
 * along its hem and its outer edge) is not old garment to the parsing, and often passes its skin test: within 2 px
 * of a decided pixel it goes with the sleeve (real skin there takes the continued arm's colour, which is its own);
 * such pixels are added to `residue`.
 * Returns the decision per pixel (ON_ARM, OFF_ARM or 0), the bounds of the OFF_ARM pixels (null if none), and a copy
 * of the photo with the continued arms' colours written in.
 */
export function oldSleeves(
  person: RawImage,
  parsing: PersonParsing,
  old: BinaryMask,
  residue: BinaryMask,
  alpha: Float32Array,
  [rx0, ry0, rx1, ry1]: Box,
): { sleeveFill: Uint8Array; offArm: Box | null; withArms: RawImage } {
  const { width: w, height: h, channels: ch } = person;
  const fr = parsing.frame;
  const sleeveFill = new Uint8Array(w * h);
  const offArm: Box = [w, h, -1, -1];
  const withArms: RawImage = { ...person, data: new Uint8Array(person.data) };
  const elbowY = Math.max(fr.lElbow?.y ?? 0, fr.rElbow?.y ?? 0);
  const [sx0, sx1] = [Math.min(fr.lShoulder.x, fr.rShoulder.x), Math.max(fr.lShoulder.x, fr.rShoulder.x)];
  const continuedArm = continuedUpperArms(person, fr, parsing.skin, old);
  keepUncontinuableSleeves(parsing, continuedArm.continued, residue, [rx0, ry0, rx1, ry1]);
  const decide = (p: number, x: number, y: number, arm: ArmFillSample) => {
    sleeveFill[p] = arm.kind === 'skin' ? ON_ARM : OFF_ARM;
    if (arm.kind === 'skin') for (let c = 0; c < 3; c++) withArms.data[p * ch + c] = Math.round(arm.rgb[c]!);
    else growBox(offArm, x, y);
  };
  for (let y = ry0; y <= Math.min(ry1, elbowY); y++) {
    for (let x = rx0; x <= rx1; x++) {
      const p = y * w + x;
      if (!residue.data[p] || !parsing.person.data[p] || (x >= sx0 && x <= sx1)) continue;
      if (parsing.torso.data[p] || parsing.neck.data[p]) continue;
      const arm = continuedArm(x, y);
      if (arm) decide(p, x, y, arm);
      else if (!parsing.upperBody.data[p] && !parsing.armLeft.data[p] && !parsing.armRight.data[p]) {
        decide(p, x, y, { kind: 'background' });
      }
    }
  }
  const decided = Uint8Array.from(sleeveFill);
  const [dx0, dy0, dx1, dy1] = maskBounds({ data: decided, width: w, height: h }, 2) ?? [0, 0, -1, -1];
  for (let y = dy0; y <= dy1; y++) {
    for (let x = dx0; x <= dx1; x++) {
      const p = y * w + x;
      if (decided[p] || residue.data[p] || alpha[p]! >= 0.5) continue;
      if (parsing.torso.data[p] || parsing.neck.data[p] || parsing.head.data[p]) continue;
      let near = 0;
      for (let dy = -2; dy <= 2 && !near; dy++) {
        for (let dx = -2; dx <= 2 && !near; dx++) {
          if (y + dy >= 0 && y + dy < h && x + dx >= 0 && x + dx < w) near = decided[(y + dy) * w + x + dx]!;
        }
      }
      if (!near) continue;
      // Off the silhouette it is wall; on it, what the continued arm says (nothing: it is left as it is).
      const arm = parsing.person.data[p] ? continuedArm(x, y) : { kind: 'background' as const };
      if (!arm) continue;
      decide(p, x, y, arm);
      residue.data[p] = 1;
    }
  }
  return { sleeveFill, offArm: offArm[0] <= offArm[2] ? offArm : null, withArms };
}

/**
 * An old sleeve over an upper arm that cannot be continued (no bare arm below its hem in the photo: the old top's
 * parsing ran down the arm, or the arm is bent out of sight) stays as photographed: taken out of `residue`. A skin
 * fill in its outline is a flat, boxy block; the old sleeve reads as a top worn under the new garment.
 */
function keepUncontinuableSleeves(
  parsing: PersonParsing,
  sides: readonly [boolean, boolean],
  residue: BinaryMask,
  [rx0, ry0, rx1, ry1]: Box,
): void {
  const { width: w } = residue;
  const arms = [parsing.armLeft, parsing.armRight];
  // The old bottom beside an arm (a skirt inside its capsule) is no sleeve: it is replaced (old-region.ts).
  const skirt = oldBottomCloth(parsing).data;
  for (let side = 0; side < 2; side++) {
    if (sides[side]) continue;
    const arm = arms[side]!;
    for (let y = ry0; y <= ry1; y++) {
      for (let p = y * w + rx0; p <= y * w + rx1; p++) {
        if (arm.data[p] && !parsing.torso.data[p] && !parsing.neck.data[p] && !skirt[p]) residue.data[p] = 0;
      }
    }
  }
}
