/**
 * The residue: old garment that the new one leaves showing. Inside the silhouette it hides body and is filled with
 * skin that continues the surrounding skin (arms, belly, shoulders) or, under an old sleeve, with the bare arm
 * continued from below its hem (old-sleeves.ts); outside it, and where an old sleeve stood off the arm, with the wall.
 */
import type { PersonParsing } from '../body/parsing.js';
import { type LowResField, padBox, sampleField, windowFieldsLow } from '../raster/blur.js';
import { andNot, type BinaryMask, type Box } from '../raster/mask.js';
import { dilate, erode, squareMorph } from '../raster/morphology.js';
import type { RawImage } from '../vision/types.js';
import { membraneFill } from './membrane.js';
import { OFF_ARM, ON_ARM, oldSleeves } from './old-sleeves.js';

/** Coverage above which the new garment hides the old one. */
const COVERED_ALPHA = 0.6;
/** Sigma of the fill colours' smooth fields (shoulder widths; at least 6 px). */
const FILL_SIGMA_SW = 0.15;
/** The membranes' coarse grid step (shoulder widths: 1/16). */
const MEMBRANE_STEP_SW = 1 / 16;
/** The wall membrane is solved this far round the old sleeves' off-arm pixels (shoulder widths). */
const WALL_PAD_SW = 0.15;
/** A skin fill keeps the old garment's folds as light and shadow, damped (ratio^0.5) and within these bounds. */
const FILL_FOLD_RANGE = { min: 0.7, max: 1.3 };

/** The old garment grown by a pixel (its anti-aliased rim), less what the new garment covers and the occluders. */
export function residueRegion(old: BinaryMask, alpha: Float32Array, front: BinaryMask, [rx0, ry0, rx1, ry1]: Box) {
  const { width: w, height: h } = old;
  const n = w * h;
  const covered = new Uint8Array(n);
  for (let y = ry0; y <= ry1; y++)
    for (let p = y * w + rx0; p <= y * w + rx1; p++) covered[p] = alpha[p]! > COVERED_ALPHA ? 1 : 0;
  const residue = andNot(andNot(dilate(old, 1), { data: covered, width: w, height: h }), front);
  let any = false;
  for (let p = 0; p < n && !any; p++) if (residue.data[p]) any = true;
  return { residue, any };
}

/** How the residue is painted: smooth colour fields, the membranes that continue real skin and wall, the old sleeves. */
export interface ResidueFill {
  skinField: LowResField[];
  bgField: LowResField[];
  skinMembrane: LowResField[] | null;
  wallMembrane: LowResField[] | null;
  /** The window the wall membrane was solved on (sampleField clamps to a field's edge: outside it, no sampling). */
  wallWin: Box;
  /** Per pixel: ON_ARM, OFF_ARM or 0 (old-sleeves.ts). */
  sleeveFill: Uint8Array;
  /** The photo with the continued arms' colours written in. */
  withArms: RawImage;
}

/** Plans the fill of `residue` (which the old-sleeve pass extends by the sleeves' rims) inside the window `roi`. */
export function planResidueFill(
  person: RawImage,
  parsing: PersonParsing,
  old: BinaryMask,
  residue: BinaryMask,
  alpha: Float32Array,
  roi: Box,
): ResidueFill {
  const { width: w, height: h } = person;
  const n = w * h;
  const sw = parsing.frame.shoulderWidth;
  const [rx0, ry0, rx1, ry1] = roi;
  // Old sleeves first: the skin membrane below takes the continued arms as border skin, so the fill beside an arm
  // (the armpit, the shoulder top) blends into the arm's own light and shade.
  const { sleeveFill, offArm, withArms } = oldSleeves(person, parsing, old, residue, alpha, roi);
  // The fill colours are smooth fields (sigma ≥ 6 px): computed at low resolution, sampled at residue pixels only.
  const sigmaFill = Math.max(6, sw * FILL_SIGMA_SW);
  const [ax0, ay0, ax1, ay1] = padBox(roi, sigmaFill).map((v, i) => Math.max(0, Math.min(i % 2 ? h - 1 : w - 1, v)));
  const skinW = new Uint8Array(n);
  const bgW = new Uint8Array(n);
  for (let y = ay0!; y <= ay1!; y++) {
    for (let p = y * w + ax0!; p <= y * w + ax1!; p++) {
      skinW[p] = parsing.skin.data[p]! & (old.data[p]! ^ 1) & (parsing.head.data[p]! ^ 1);
      bgW[p] = parsing.person.data[p]! ^ 1;
    }
  }
  const skinField = windowFieldsLow(person, skinW, padBox(roi, sigmaFill), sigmaFill, 'rgb');
  const bgField = windowFieldsLow(person, bgW, padBox(roi, sigmaFill), sigmaFill, 'rgb');
  // The skin fill continues the real skin it borders (membrane.ts): border skin is skin left visible (not under
  // the old garment, not the head, not under the new garment).
  // Not the 2-px rims along the old garment and the silhouette: those pixels blend garment or background into
  // skin and pass the skin-colour test (a lavender sleeve's edge over a grey wall does), and a membrane seeded
  // with them tints the whole fill.
  const oldRim = dilate(old, 2);
  const inner = erode(parsing.person, 2);
  const fillW = new Uint8Array(n);
  const srcW = new Uint8Array(n);
  for (let y = ry0; y <= ry1; y++) {
    for (let p = y * w + rx0; p <= y * w + rx1; p++) {
      const onArm = sleeveFill[p] === ON_ARM;
      fillW[p] = residue.data[p]! & parsing.person.data[p]! & (onArm ? 0 : 1);
      srcW[p] = onArm ? 1 : skinW[p]! & inner.data[p]! & (oldRim.data[p]! ^ 1) & (alpha[p]! < 0.5 ? 1 : 0);
    }
  }
  const step = Math.max(4, Math.round(sw * MEMBRANE_STEP_SW));
  const skinMembrane = membraneFill(withArms, fillW, srcW, roi, step);
  // The same for the wall where an old sleeve stood off the body: a smooth average of the wall around is a few
  // levels off the wall it meets, and leaves the sleeve's outline as a faint ghost. Border: wall clear of the
  // person's anti-aliased edge, of the old garment and of the new one. Solved round the sleeves only (the 1-px rim
  // of an old garment off the silhouette elsewhere takes the average: a pixel's error does not show).
  let wallMembrane: LowResField[] | null = null;
  let wallWin: Box = [0, 0, -1, -1];
  if (offArm) {
    const pad = Math.round(sw * WALL_PAD_SW);
    const [wx0, wy0, wx1, wy1] = [
      Math.max(rx0, offArm[0] - pad),
      Math.max(ry0, offArm[1] - pad),
      Math.min(rx1, offArm[2] + pad),
      Math.min(ry1, offArm[3] + pad),
    ];
    const nearPerson = squareMorph(parsing.person, 2, 'dilate');
    const wallFill = new Uint8Array(n);
    const wallSrc = new Uint8Array(n);
    for (let y = wy0; y <= wy1; y++) {
      for (let p = y * w + wx0; p <= y * w + wx1; p++) {
        wallFill[p] = residue.data[p]! & (parsing.person.data[p]! ^ 1 || sleeveFill[p] === OFF_ARM ? 1 : 0);
        wallSrc[p] = (nearPerson.data[p]! | oldRim.data[p]!) === 0 && alpha[p]! < 0.5 ? 1 : 0;
      }
    }
    wallWin = [wx0, wy0, wx1, wy1];
    wallMembrane = membraneFill(person, wallFill, wallSrc, wallWin, step);
  }
  return { skinField, bgField, skinMembrane, wallMembrane, wallWin, sleeveFill, withArms };
}

/** The fill colour of residue pixel p at (x, y); `fold` is the old garment's fold ratio there (shading.ts). */
export function fillColour(
  fill: ResidueFill,
  parsing: PersonParsing,
  p: number,
  x: number,
  y: number,
  fold: number,
): [number, number, number] {
  const { skinField, bgField, skinMembrane, wallMembrane, wallWin, sleeveFill, withArms } = fill;
  const ch = withArms.channels;
  // Inside the silhouette an uncovered old garment hides body: fill with skin. Only the 1-px rim outside it (the
  // residue is the old region grown by a pixel) takes the background, and so does an old sleeve where it stands off
  // the arm: no body is under it.
  const inArm = parsing.person.data[p] && sleeveFill[p] !== OFF_ARM;
  const sk0 = sampleField(skinField[0]!, x, y);
  const field = inArm && !Number.isNaN(sk0) ? skinField : bgField;
  const f0 = sampleField(field[0]!, x, y);
  let base = Number.isNaN(f0) ? parsing.skinColor : [f0, sampleField(field[1]!, x, y), sampleField(field[2]!, x, y)];
  const inWallWin = x >= wallWin[0] && x <= wallWin[2] && y >= wallWin[1] && y <= wallWin[3];
  const membrane = field === skinField ? skinMembrane : inWallWin ? wallMembrane : null;
  const m0 = membrane ? sampleField(membrane[0]!, x, y) : Number.NaN;
  if (!Number.isNaN(m0)) base = [m0, sampleField(membrane![1]!, x, y), sampleField(membrane![2]!, x, y)];
  // Keep the old garment's folds as light and shadow on a skin fill, damped (ratio^0.5); a continued arm has its
  // own light and shade (an old sleeve's folds printed on an arm read as a sleeve), and a wall none.
  let ratio =
    field === bgField || Number.isNaN(fold)
      ? 1
      : Math.sqrt(Math.min(FILL_FOLD_RANGE.max, Math.max(FILL_FOLD_RANGE.min, fold)));
  if (sleeveFill[p] === ON_ARM) {
    base = [withArms.data[p * ch]!, withArms.data[p * ch + 1]!, withArms.data[p * ch + 2]!];
    ratio = 1;
  }
  return [base[0]! * ratio, base[1]! * ratio, base[2]! * ratio];
}
