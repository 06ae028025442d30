/**
 * The composite (design/engine.md step 4). Layers, back to front:
 *   person photo → old-garment residue filled → warped garment (shaded, white-balanced, feathered; its sleeves
 *   under its body panel on the torso, over it on the arms) → forearms/hands that lie inside the torso, and bare
 *   arms beside the torso below the armpits (unless long sleeves cover them) → neck, face and hair.
 * Every pixel outside the garment and residue regions is copied from the person photo byte for byte.
 */

import { bodyFrame } from '../body/frame.js';
import { skirtZone } from '../body/legs.js';
import { type PersonParsing, parsePerson } from '../body/parsing.js';
import { EngineError } from '../engine.js';
import { fitGarment } from '../fit/fit.js';
import type { BodyTargets } from '../fit/targets.js';
import { type GarmentLayer, renderGarment } from '../fit/warp.js';
import type { GarmentAnalysis } from '../garment/analyze.js';
import { gaussBlur, type LowResField, sampleField, windowFieldsLow } from '../raster/blur.js';
import { luma } from '../raster/colour.js';
import { drawPolygon } from '../raster/draw.js';
import { and, andNot, type BinaryMask, emptyMask, maskBounds, or } from '../raster/mask.js';
import { close, dilate, erode, squareMorph } from '../raster/morphology.js';
import type { PersonDetection, RawImage } from '../vision/types.js';
import { type ArmFillSample, continuedUpperArms } from './arm-fill.js';
import { membraneFill } from './membrane.js';
import { stretchToBodySides } from './sides.js';

export interface CompositeResult {
  image: RawImage;
  /** Final garment coverage per pixel after occlusion by arms and head (0..1). */
  garmentAlpha: Float32Array;
  /** The old garment region the new one replaces. */
  oldRegion: BinaryMask;
  /** Pixels repainted to hide the old garment where the new one does not cover it. */
  filled: BinaryMask;
  parsing: PersonParsing;
  targets: BodyTargets;
  timings: Record<string, number>;
}

/** Minimum keypoint evidence for a fit: both shoulders and at least one elbow or hip. */
function checkPose(det: PersonDetection): void {
  if (det.keypoints.length === 0 || det.score === 0 || !det.mask) {
    throw new EngineError('NO_PERSON_DETECTED', 'No person was found in the photo.');
  }
}

export function composeTryOn(person: RawImage, det: PersonDetection, garment: GarmentAnalysis): CompositeResult {
  const timings: Record<string, number> = {};
  let t = performance.now();
  checkPose(det);
  const frame = bodyFrame(det);
  if (!frame) throw new EngineError('NO_PERSON_DETECTED', "The person's shoulders are not visible.");
  const { width: w, height: h } = person;
  if (frame.shoulderWidth < Math.min(w, h) * 0.06) {
    throw new EngineError('NO_PERSON_DETECTED', 'The person is too small in the photo for a try-on.');
  }
  if (garment.cls.category === 'dress' && !frame.hipsSeen) {
    throw new EngineError('UNSUPPORTED_GARMENT', 'A dress needs a photo showing the body down to the hips at least.');
  }
  // Facing away (shoulders crossed) or lying: refuse rather than produce garbage.
  if (frame.lShoulder.y > frame.lHip.y || frame.rShoulder.y > frame.rHip.y) {
    throw new EngineError('NO_PERSON_DETECTED', 'The person must be upright for a try-on.');
  }
  const parsing = parsePerson(person, det, frame, {
    lower: garment.cls.category === 'dress' || garment.cls.category === 'lower',
  });
  timings.parsing = performance.now() - t;

  t = performance.now();
  const fit = fitGarment(garment, parsing);
  // Sleeves go under the body panel on the torso, except on the arms (which may cross in front of it).
  const sleeveUnder = andNot(parsing.torso, or(parsing.armLeft, parsing.armRight)).data;
  const layer = renderGarment(garment, fit, w, h, sleeveUnder);
  timings.warp = performance.now() - t;

  t = performance.now();
  const result = blend(person, parsing, garment, layer, fit.targets);
  timings.composite = performance.now() - t;
  return { ...result, parsing, targets: fit.targets, timings };
}

function growBox(box: [number, number, number, number], x: number, y: number): void {
  box[0] = Math.min(box[0], x);
  box[1] = Math.min(box[1], y);
  box[2] = Math.max(box[2], x);
  box[3] = Math.max(box[3], y);
}

/** What an old-sleeve pixel becomes (see oldSleeves): the bare arm under it, or background beside the arm. */
const ON_ARM = 1;
const OFF_ARM = 2;

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
function oldSleeves(
  person: RawImage,
  parsing: PersonParsing,
  old: BinaryMask,
  residue: BinaryMask,
  alpha: Float32Array,
  [rx0, ry0, rx1, ry1]: [number, number, number, number],
): { sleeveFill: Uint8Array; offArm: [number, number, number, number] | null; withArms: RawImage } {
  const { width: w, height: h, channels: ch } = person;
  const fr = parsing.frame;
  const sleeveFill = new Uint8Array(w * h);
  const offArm: [number, number, number, number] = [w, h, -1, -1];
  const withArms: RawImage = { ...person, data: new Uint8Array(person.data) };
  const elbowY = Math.max(fr.lElbow?.y ?? 0, fr.rElbow?.y ?? 0);
  const [sx0, sx1] = [Math.min(fr.lShoulder.x, fr.rShoulder.x), Math.max(fr.lShoulder.x, fr.rShoulder.x)];
  const continuedArm = continuedUpperArms(person, fr, parsing.skin, old);
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

/** Crops a plane to a window (x0, y0, width cw, height chh). */
function cropPlane(src: ArrayLike<number>, w: number, x0: number, y0: number, cw: number, chh: number): Float32Array {
  const out = new Float32Array(cw * chh);
  for (let y = 0; y < chh; y++) {
    const row = (y + y0) * w + x0;
    for (let x = 0; x < cw; x++) out[y * cw + x] = src[row + x]!;
  }
  return out;
}

/**
 * Closes the slits between a sleeve and the torso panel. The sleeves and the torso are warped separately and meet
 * only along the armhole; where the arm hangs close to the body, or the flat-lay's folded sleeve is narrower than
 * the arm, a strip of arm or of the old garment stays visible between them and reads as a hole in the garment (the
 * cardigan's armpit gaps). Pixels that a closing of the garment's coverage adds, on the body and off the head and
 * neck, get the garment's colour interpolated along the row from the nearest covered pixels on either side (the
 * gaps are near-vertical slits). Real space between an arm and the body is background and is clipped later.
 */
function closeSleeveGaps(layer: GarmentLayer, parsing: PersonParsing, sw: number): void {
  const { width: w, height: h } = layer;
  const cov = emptyMask(w, h);
  for (let p = 0; p < w * h; p++) cov.data[p] = layer.alpha[p]! > 0.5 ? 1 : 0;
  const r = Math.max(3, Math.round(sw * 0.08));
  const closed = close(cov, r);
  const { person, head, neck } = parsing;
  const b = maskBounds(closed);
  if (!b) return;
  for (let y = b[1]; y <= b[3]; y++) {
    for (let x = b[0]; x <= b[2]; x++) {
      const p = y * w + x;
      if (!closed.data[p] || cov.data[p] || !person.data[p] || head.data[p] || neck.data[p]) continue;
      let xl = x - 1;
      while (xl >= 0 && x - xl <= 2 * r && !cov.data[y * w + xl]) xl--;
      let xr = x + 1;
      while (xr < w && xr - x <= 2 * r && !cov.data[y * w + xr]) xr++;
      const okL = xl >= 0 && x - xl <= 2 * r;
      const okR = xr < w && xr - x <= 2 * r;
      if (!okL && !okR) continue;
      // Two pixels in from each side: the outermost covered pixel is often the flat-lay's pale anti-aliased rim.
      const ql = okL ? y * w + Math.max(0, xl - 2) : -1;
      const qr = okR ? y * w + Math.min(w - 1, xr + 2) : -1;
      const wl = okL ? (okR ? (xr - x) / (xr - xl) : 1) : 0;
      for (let c = 0; c < 3; c++) {
        const vl = ql >= 0 ? layer.rgb[ql * 3 + c]! : 0;
        const vr = qr >= 0 ? layer.rgb[qr * 3 + c]! : 0;
        layer.rgb[p * 3 + c] = vl * wl + vr * (1 - wl);
      }
      layer.alpha[p] = 1;
      layer.part[p] = 1;
    }
  }
}

/**
 * A bottom's residue: the current lower garment left showing beside the new one (the flat-lay's leg is narrower
 * than the thigh it goes over, or the hip flares past the waistband's line). The body there was clothed and the new
 * bottom clothes it too, so rather than guess skin for a whole strip of thigh, the new garment is continued sideways
 * over it: each such pixel takes the colour of the nearest covered pixel on its row (two pixels in, past the
 * anti-aliased rim), within a third of the shoulder width. Arms and hands stay out.
 */
function extendOverOldLower(layer: GarmentLayer, parsing: PersonParsing, y0: number, y1: number, sw: number): void {
  const { width: w, height: h } = layer;
  const reach = Math.max(4, Math.round(sw * 0.33));
  const { person, lowerClothes } = parsing;
  const arms = [parsing.armLeft.data, parsing.armRight.data, parsing.forearmLeft.data, parsing.forearmRight.data];
  const cov = (q: number) => layer.alpha[q]! > 0.5;
  for (let y = Math.max(0, Math.ceil(y0)); y <= Math.min(h - 1, Math.floor(y1)); y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const p = row + x;
      if (cov(p) || !lowerClothes.data[p] || !person.data[p] || arms.some((m) => m[p])) continue;
      let q = -1;
      for (let d = 1; d <= reach && q < 0; d++) {
        if (x - d >= 0 && cov(row + x - d)) q = row + Math.max(0, x - d - 2);
        else if (x + d < w && cov(row + x + d)) q = row + Math.min(w - 1, x + d + 2);
      }
      if (q < 0 || !cov(q)) continue;
      for (let c = 0; c < 3; c++) layer.rgb[p * 3 + c] = layer.rgb[q * 3 + c]!;
      layer.alpha[p] = 1;
      layer.part[p] = layer.part[q]!;
    }
  }
}

function blend(
  person: RawImage,
  parsing: PersonParsing,
  garment: GarmentAnalysis,
  layer: GarmentLayer,
  targets: BodyTargets,
): { image: RawImage; garmentAlpha: Float32Array; oldRegion: BinaryMask; filled: BinaryMask } {
  const { width: w, height: h, channels: ch, data: src } = person;
  const n = w * h;
  const sw = parsing.frame.shoulderWidth;

  // ---- clip the garment to the body (plus a small margin): a loose flat-lay outline must not float over the
  // background. The margin lets the garment stand off the body by a few pixels, as real cloth does.
  // The silhouette is edge-refined (parsing.refineSilhouette), so the margin is 1.5 px: the anti-aliased edge.
  let bodyZone = dilate(parsing.person, 1.5);
  const skirtLike = garment.cls.category === 'dress' || (garment.cls.category === 'lower' && !garment.bottom?.crotch);
  if (skirtLike) {
    // A skirt bridges the gap between the legs, from the crotch (a little below the hip joints) to the hem, and
    // keeps its own flare; the warped garment's outline bounds it within that zone.
    bodyZone = or(bodyZone, skirtZone(parsing, garment.cls.category as 'dress' | 'lower', targets.hemCenter.y));
  }
  // A top's or a dress's panel reaches the torso's sides where the old garment shows beside it (sides.ts).
  if (garment.cls.category !== 'lower') stretchToBodySides(layer, parsing, targets);
  // Trousers' two legs are warped separately too: the same closing shuts the slit between them where the thighs
  // touch (the real gap between the legs is background and stays open).
  if (garment.cls.sleeve !== 'none' || garment.bottom?.crotch) closeSleeveGaps(layer, parsing, sw);
  if (garment.cls.category === 'lower') {
    const hemY = garment.bottom?.crotch ? Math.max(targets.hemLeft.y, targets.hemRight.y) : targets.hemCenter.y;
    extendOverOldLower(layer, parsing, Math.min(targets.shoulderLeft.y, targets.shoulderRight.y), hemY, sw);
  }
  const alpha = new Float32Array(n);
  for (let p = 0; p < n; p++) alpha[p] = bodyZone.data[p] ? layer.alpha[p]! : 0;

  // ---- old garment region: the current upper garment (and, for a dress, the lower one above the dress's hem).
  let old = parsing.upperClothes;
  if (garment.cls.category === 'dress') {
    const hemY = targets.hemCenter.y;
    const lower = emptyMask(w, h);
    for (let p = 0; p < n; p++) if (parsing.lowerClothes.data[p] && p / w < hemY) lower.data[p] = 1;
    old = or(old, lower);
  } else if (garment.cls.category === 'lower') {
    // A bottom replaces the lower garment only, from the waistband down: the top above it is left as it is.
    const waistY = Math.min(targets.shoulderLeft.y, targets.shoulderRight.y);
    // Below a skirt's hem the old garment stays (as under a dress): the legs it hides are unknown, and a skin-coloured
    // guess of a whole leg looks worse than the old trousers. Trousers replace it down to their hem.
    const hemY = garment.bottom?.crotch ? h : targets.hemCenter.y;
    old = emptyMask(w, h);
    for (let p = Math.max(0, Math.ceil(waistY)) * w; p < Math.min(h, Math.ceil(hemY)) * w; p++)
      old.data[p] = parsing.lowerClothes.data[p]!;
  }

  // Everything below happens inside the window holding the new garment and the old one (plus a few pixels for the
  // feathering): pixels outside it are copied unchanged, so there is no reason to blur or test them.
  const touched = emptyMask(w, h);
  for (let p = 0; p < n; p++) touched.data[p] = alpha[p]! > 0 || old.data[p] ? 1 : 0;
  const out = new Uint8Array(src);
  const filled = emptyMask(w, h);
  const roi = maskBounds(touched, 4);
  if (!roi)
    return { image: { data: out, width: w, height: h, channels: ch }, garmentAlpha: alpha, oldRegion: old, filled };
  const [rx0, ry0, rx1, ry1] = roi;
  const cw = rx1 - rx0 + 1;
  const chh = ry1 - ry0 + 1;

  // ---- occluders in front of the garment: head (face + hair), neck, and forearms/hands inside the torso.
  const torsoZone = emptyMask(w, h);
  drawPolygon(torsoZone, [targets.shoulderLeft, targets.shoulderRight, targets.hemRight, targets.hemLeft]);
  const front = emptyMask(w, h);
  const sleeveless = garment.cls.sleeve === 'none';
  const longSleeves = garment.cls.sleeve === 'long';
  const fr = parsing.frame;
  // Past the wrist of the nearer arm: the projection on elbow → wrist beyond the wrist.
  const pastWrist = (x: number, y: number): boolean => {
    let best = Number.POSITIVE_INFINITY;
    let past = false;
    for (const [e, wr] of [
      [fr.lElbow, fr.lWrist],
      [fr.rElbow, fr.rWrist],
    ] as const) {
      if (!e || !wr) continue;
      const d = Math.hypot(x - wr.x, y - wr.y);
      if (d >= best) continue;
      best = d;
      past = (x - wr.x) * (wr.x - e.x) + (y - wr.y) * (wr.y - e.y) > 0;
    }
    return past;
  };
  const armpitY = Math.max(targets.armpitLeft.y, targets.armpitRight.y);
  for (let y = ry0; y <= ry1; y++) {
    for (let x = rx0; x <= rx1; x++) {
      const p = y * w + x;
      const fore = parsing.forearmLeft.data[p] || parsing.forearmRight.data[p];
      const arm = parsing.armLeft.data[p] || parsing.armRight.data[p];
      // A forearm or hand is in front only where it lies inside the torso and is bare skin (a hand on a hip, arms
      // crossed); a hanging arm beside the body stays behind the garment's edge so it does not cut strips out of it.
      // A long sleeve covers the forearm, and the sleeve is warped along the arm and drawn over the torso panel: only
      // the hand (past the wrist) can then be in front. Putting the bare forearm of the photo in front cut bare-skin
      // patches into the sleeves wherever a hanging elbow touched the torso zone.
      if (fore && torsoZone.data[p] && parsing.skin.data[p] && (!longSleeves || pastWrist(x, y))) front.data[p] = 1;
      // A sleeveless garment has nothing to put over the arms: bare arms below the armpits are in front of it (a
      // hanging arm beside a dress's side, a hand by the skirt). Not above (the shoulder joint's capsule covers the
      // garment's shoulder) and never on the old garment (pale skin and a white top pass the same colour test).
      // The same holds for the body panel of a garment with short sleeves, off the torso: a wide tee's sides hang
      // behind the arms, and drawn over them they left dark strips down the arms below the sleeves. (A long sleeve
      // is meant to cover the arm; bare skin shown through it would read as a hole in the sleeve.)
      const panelBesideTorso = !longSleeves && layer.part[p] === 1 && !parsing.torso.data[p];
      if ((sleeveless || panelBesideTorso) && y > armpitY && (arm || fore) && parsing.skin.data[p] && !old.data[p])
        front.data[p] = 1;
      if (parsing.head.data[p] || parsing.neck.data[p]) front.data[p] = 1;
    }
  }
  // Soft occluder edge and the 1–2 px feather, both tiny blurs, computed on the window only.
  const frontSoft = gaussBlur(cropPlane(front.data, w, rx0, ry0, cw, chh), cw, chh, 0.8);
  const alphaC = new Float32Array(cw * chh);
  for (let y = 0; y < chh; y++) {
    for (let x = 0; x < cw; x++) {
      const p = (y + ry0) * w + x + rx0;
      const i = y * cw + x;
      alphaC[i] = alpha[p]! * (1 - Math.min(1, front.data[p] ? 1 : frontSoft[i]!));
    }
  }
  // Feather 1–2 px: a light blur of coverage, never growing it beyond where the garment was drawn.
  const feathered = gaussBlur(alphaC, cw, chh, 0.7);
  for (let y = 0; y < chh; y++) {
    for (let x = 0; x < cw; x++) {
      const i = y * cw + x;
      alpha[(y + ry0) * w + x + rx0] = Math.min(alphaC[i]!, feathered[i]! * 1.15);
    }
  }

  // ---- residue: old garment not covered by the new one. Fill with the surrounding skin (arms, belly, shoulders),
  // or with the background where the old garment stands outside the body's skin areas.
  const covered = new Uint8Array(n);
  for (let y = ry0; y <= ry1; y++)
    for (let p = y * w + rx0; p <= y * w + rx1; p++) covered[p] = alpha[p]! > 0.6 ? 1 : 0;
  const residue = andNot(andNot(dilate(old, 1), { data: covered, width: w, height: h }), front);
  let anyResidue = false;
  for (let p = 0; p < n && !anyResidue; p++) if (residue.data[p]) anyResidue = true;
  // The smooth fields below are only ever sampled inside the window; each is computed on the window grown by three
  // of its sigmas (beyond that a pixel's weight in the Gaussian is negligible).
  const grownRoi = (sigma: number): [number, number, number, number] => {
    const pad = Math.ceil(3 * sigma);
    return [rx0 - pad, ry0 - pad, rx1 + pad, ry1 + pad];
  };
  // The fill colours are smooth fields (sigma ≥ 6 px): computed at low resolution, sampled at residue pixels only.
  const sigmaFill = Math.max(6, sw * 0.15);
  let skinField: LowResField[] | null = null;
  let bgField: LowResField[] | null = null;
  let skinMembrane: LowResField[] | null = null;
  let wallMembrane: LowResField[] | null = null;
  /** The window the wall membrane was solved on (sampleField clamps to a field's edge: outside it, no sampling). */
  let wallWin: [number, number, number, number] = [0, 0, -1, -1];
  // Old sleeves first (oldSleeves): the skin membrane below takes the continued arms as border skin, so the fill
  // beside an arm (the armpit, the shoulder top) blends into the arm's own light and shade.
  const { sleeveFill, offArm, withArms } = anyResidue
    ? oldSleeves(person, parsing, old, residue, alpha, [rx0, ry0, rx1, ry1])
    : { sleeveFill: new Uint8Array(n), offArm: null, withArms: person };
  if (anyResidue) {
    const [ax0, ay0, ax1, ay1] = grownRoi(sigmaFill).map((v, i) => Math.max(0, Math.min(i % 2 ? h - 1 : w - 1, v)));
    const skinW = new Uint8Array(n);
    const bgW = new Uint8Array(n);
    for (let y = ay0!; y <= ay1!; y++) {
      for (let p = y * w + ax0!; p <= y * w + ax1!; p++) {
        skinW[p] = parsing.skin.data[p]! & (old.data[p]! ^ 1) & (parsing.head.data[p]! ^ 1);
        bgW[p] = parsing.person.data[p]! ^ 1;
      }
    }
    skinField = windowFieldsLow(person, skinW, grownRoi(sigmaFill), sigmaFill, 'rgb');
    bgField = windowFieldsLow(person, bgW, grownRoi(sigmaFill), sigmaFill, 'rgb');
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
    skinMembrane = membraneFill(withArms, fillW, srcW, [rx0, ry0, rx1, ry1], Math.max(4, Math.round(sw / 16)));
    // The same for the wall where an old sleeve stood off the body: a smooth average of the wall around is a few
    // levels off the wall it meets, and leaves the sleeve's outline as a faint ghost. Border: wall clear of the
    // person's anti-aliased edge, of the old garment and of the new one. Solved round the sleeves only (the 1-px rim
    // of an old garment off the silhouette elsewhere takes the average: a pixel's error does not show).
    if (offArm) {
      const pad = Math.round(sw * 0.15);
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
      wallMembrane = membraneFill(person, wallFill, wallSrc, wallWin, Math.max(4, Math.round(sw / 16)));
    }
  }
  // Shading of the old garment (low-frequency luminance ratio), used both for the fill and the new garment.
  let oldSum = 0;
  let oldCount = 0;
  const ob = maskBounds(old);
  if (ob) {
    for (let y = ob[1]; y <= ob[3]; y++) {
      for (let p = y * w + ob[0]; p <= y * w + ob[2]; p++) {
        if (!old.data[p]) continue;
        oldSum += luma(src[p * ch]!, src[p * ch + 1]!, src[p * ch + 2]!);
        oldCount++;
      }
    }
  }
  const oldMean = oldCount > 0 ? oldSum / oldCount : 128;
  // Folds, not tone: the old garment's low-frequency luminance divided by a broad local mean of the same garment.
  // Under a dress the old top and the old bottom are measured apart: across a bright top's hem over dark leggings,
  // one broad mean of both dipped far below the leggings' folds and printed a dark band across the new skirt.
  const sigmaLow = Math.max(3, sw * 0.035);
  const sigmaBroad = Math.max(12, sw * 0.3);
  const oldParts =
    garment.cls.category === 'dress' ? [and(old, parsing.upperClothes), andNot(old, parsing.upperClothes)] : [old];
  const folds = oldParts.map((part) => ({
    low: windowFieldsLow(person, part.data, grownRoi(sigmaLow), sigmaLow, 'luma')[0]!,
    broad: windowFieldsLow(person, part.data, grownRoi(sigmaBroad), sigmaBroad, 'luma')[0]!,
    // Only read where there are two parts to weigh.
    presence:
      oldParts.length > 1 ? windowFieldsLow(person, part.data, grownRoi(sigmaLow), sigmaLow, 'presence')[0]! : null,
  }));
  /** The old garment's fold ratio at a pixel (NaN far from it); near both parts, weighted by their presence. */
  const foldRatio = (x: number, y: number): number => {
    if (folds.length === 1) return sampleField(folds[0]!.low, x, y) / (sampleField(folds[0]!.broad, x, y) || oldMean);
    let sum = 0;
    let weight = 0;
    for (const f of folds) {
      const lo = sampleField(f.low, x, y);
      const wgt = sampleField(f.presence!, x, y);
      if (Number.isNaN(lo) || !(wgt > 0)) continue;
      sum += (lo / (sampleField(f.broad, x, y) || oldMean)) * wgt;
      weight += wgt;
    }
    return weight > 0 ? sum / weight : Number.NaN;
  };
  const sigmaPresence = Math.max(2, sw * 0.03);
  const [oldPresence] = windowFieldsLow(person, old.data, grownRoi(sigmaPresence), sigmaPresence, 'presence');

  // ---- white balance: the photo's neutral reference (brightest 2 % of the background) vs. the product photo's
  // background; gains limited to ±8 % so a coloured studio wall cannot tint the garment. A luma histogram finds the
  // brightest 2 % without sorting.
  const hist = new Uint32Array(256);
  let bgCount = 0;
  for (let p = 0; p < n; p += 3) {
    if (parsing.person.data[p]) continue;
    hist[Math.min(255, Math.round(luma(src[p * ch]!, src[p * ch + 1]!, src[p * ch + 2]!)))]!++;
    bgCount++;
  }
  const want = Math.max(1, Math.floor(bgCount * 0.02));
  let cut = 255;
  for (let acc = 0; cut > 0; cut--) {
    acc += hist[cut]!;
    if (acc >= want) break;
  }
  const ref = [0, 0, 0];
  let refN = 0;
  for (let p = 0; p < n; p += 3) {
    if (parsing.person.data[p] || Math.round(luma(src[p * ch]!, src[p * ch + 1]!, src[p * ch + 2]!)) < cut) continue;
    for (let c = 0; c < 3; c++) ref[c]! += src[p * ch + c]!;
    refN++;
  }
  for (let c = 0; c < 3; c++) ref[c] = refN > 0 ? ref[c]! / refN : 255;
  const refMean = (ref[0]! + ref[1]! + ref[2]!) / 3 || 1;
  const gb = garment.background;
  const gbMean = (gb[0] + gb[1] + gb[2]) / 3 || 1;
  const gain = [0, 1, 2].map((c) => {
    const g = ref[c]! / refMean / (gb[c]! / gbMean);
    return Number.isFinite(g) ? Math.min(1.08, Math.max(0.92, g)) : 1;
  });

  // ---- compose (window only; everything else is already the person's bytes)
  for (let y = ry0; y <= ry1; y++) {
    for (let x = rx0; x <= rx1; x++) {
      const p = y * w + x;
      const a = alpha[p]!;
      const isResidue = residue.data[p] === 1;
      if (!isResidue && a <= 0.002) continue;
      let r = src[p * ch]!;
      let g = src[p * ch + 1]!;
      let b = src[p * ch + 2]!;
      const fold = foldRatio(x, y);
      if (isResidue && skinField && bgField) {
        // Inside the silhouette an uncovered old garment hides body: fill with skin. Only the 1-px rim outside it
        // (the residue is the old region grown by a pixel) takes the background, and so does an old sleeve where it
        // stands off the arm (above): no body is under it.
        const inArm = parsing.person.data[p] && sleeveFill[p] !== OFF_ARM;
        const sk0 = sampleField(skinField[0]!, x, y);
        const field = inArm && !Number.isNaN(sk0) ? skinField : bgField;
        const f0 = sampleField(field[0]!, x, y);
        let base = Number.isNaN(f0)
          ? parsing.skinColor
          : [f0, sampleField(field[1]!, x, y), sampleField(field[2]!, x, y)];
        const inWallWin = x >= wallWin[0] && x <= wallWin[2] && y >= wallWin[1] && y <= wallWin[3];
        const membrane = field === skinField ? skinMembrane : inWallWin ? wallMembrane : null;
        const m0 = membrane ? sampleField(membrane[0]!, x, y) : Number.NaN;
        if (!Number.isNaN(m0)) base = [m0, sampleField(membrane![1]!, x, y), sampleField(membrane![2]!, x, y)];
        // Keep the old garment's folds as light and shadow on a skin fill, damped (ratio^0.5); a continued arm has
        // its own light and shade (an old sleeve's folds printed on an arm read as a sleeve), and a wall none.
        let ratio = field === bgField || Number.isNaN(fold) ? 1 : Math.sqrt(Math.min(1.3, Math.max(0.7, fold)));
        if (sleeveFill[p] === ON_ARM) {
          base = [withArms.data[p * ch]!, withArms.data[p * ch + 1]!, withArms.data[p * ch + 2]!];
          ratio = 1;
        }
        r = base[0]! * ratio;
        g = base[1]! * ratio;
        b = base[2]! * ratio;
        filled.data[p] = 1;
      }
      if (a > 0.002) {
        // Shading transfer: where the old garment was, multiply by its low-frequency luminance relative to its mean
        // (clamped to −15 %…+12 % so a dark print on the old top does not stain the new one); elsewhere no change.
        let shade = 1;
        const presence = Math.min(1, sampleField(oldPresence!, x, y) * 1.5);
        if (!Number.isNaN(fold) && presence > 0) {
          const ratio = Math.min(1.12, Math.max(0.85, fold));
          shade = 1 + (ratio - 1) * presence;
        }
        const gr = Math.min(255, layer.rgb[p * 3]! * gain[0]! * shade);
        const gg = Math.min(255, layer.rgb[p * 3 + 1]! * gain[1]! * shade);
        const gbb = Math.min(255, layer.rgb[p * 3 + 2]! * gain[2]! * shade);
        r = r * (1 - a) + gr * a;
        g = g * (1 - a) + gg * a;
        b = b * (1 - a) + gbb * a;
      }
      out[p * ch] = Math.round(r);
      out[p * ch + 1] = Math.round(g);
      out[p * ch + 2] = Math.round(b);
    }
  }
  return { image: { data: out, width: w, height: h, channels: ch }, garmentAlpha: alpha, oldRegion: old, filled };
}
