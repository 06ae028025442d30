/**
 * The model's skin in an on-model product photo, to be taken off the garment: textured and far-bright pixels are
 * garment, the neck's own colour decides up to the chest, a sleeveless garment's bare arms and the back panel seen
 * through its armholes go, and skin openings (a V, a midriff) are told from skin-coloured garments. The stages read
 * the model through `Model` (on-model.ts builds it).
 */
import type { BodyFrame } from '../body/frame.js';
import type { PersonParsing } from '../body/parsing.js';
import { boxBlur, localStdDev } from '../raster/blur.js';
import { type LabPlanes, rgbToLab, upperMedian } from '../raster/colour.js';
import { components } from '../raster/components.js';
import { drawPolygon } from '../raster/draw.js';
import { and, andNot, type BinaryMask, countMask, emptyMask, or } from '../raster/mask.js';
import { dilate, open } from '../raster/morphology.js';
import type { RawImage } from '../vision/types.js';

/** L*a*b* planes of the whole product photo, converted once per cut-out (see `labPlanes`). */
export type Lab = LabPlanes;

/** The neck's skin is sampled in a square this size (shoulder widths) just below the chin, on the centre line. */
const NECK_SAMPLE_SW = 0.12;

/**
 * Textured pixels: where the local standard deviation of L* (7×7) exceeds 6 in most of a 11×11 neighbourhood. Skin is
 * smooth (median 2–2.5 on the fixtures' arms); a crochet or a zigzag knit whose pinks and beiges match the face's
 * chroma is not (median 12–20). A majority over the neighbourhood keeps the thin bright line along an arm's outline
 * (a skin/background edge) from counting as texture.
 */
function texturedMask(img: RawImage, lab: Lab, where: BinaryMask): BinaryMask {
  const { width: w, height: h } = img;
  const rough = localStdDev(lab.L, w, h, 3).map((sd) => (sd > 6 ? 1 : 0));
  const share = boxBlur(rough, w, h, 5);
  const out = emptyMask(w, h);
  for (let p = 0; p < w * h; p++) if (where.data[p] && share[p]! > 0.55) out.data[p] = 1;
  return out;
}

/**
 * Bare arm in shade: the face's skin model misses an upper arm that is much darker than the lit face (a dark brown
 * patch stayed beside a tank's armhole). Each arm's own skin colour — the median Lab of its smooth pixels that pass
 * the face's model — is grown over that arm's capsule with a loose lightness (×0.3) and a tight chroma (ΔE 10). An
 * arm whose capsule is mostly not skin (a long sleeve) gives no model.
 */
function armSkin(
  img: RawImage,
  lab: Lab,
  parsing: PersonParsing,
  textured: BinaryMask,
): { mask: BinaryMask; maxL: number } {
  const { width: w, height: h } = img;
  const out = emptyMask(w, h);
  let maxL = Number.NEGATIVE_INFINITY;
  const { L, A, B } = lab;
  for (const arm of [parsing.armLeft, parsing.armRight]) {
    const ls: number[] = [];
    const as: number[] = [];
    const bs: number[] = [];
    let total = 0;
    for (let p = 0; p < w * h; p++) {
      if (!arm.data[p] || !parsing.person.data[p]) continue;
      total++;
      if (!parsing.skin.data[p] || textured.data[p]) continue;
      ls.push(L[p]!);
      as.push(A[p]!);
      bs.push(B[p]!);
    }
    if (ls.length < 300 || ls.length < total * 0.15) continue;
    const m0 = upperMedian(ls);
    const m1 = upperMedian(as);
    const m2 = upperMedian(bs);
    maxL = Math.max(maxL, m0);
    const zone = dilate(arm, 4);
    for (let p = 0; p < w * h; p++) {
      if (!zone.data[p] || !parsing.person.data[p] || textured.data[p]) continue;
      const dl = (L[p]! - m0) * 0.3;
      const da = A[p]! - m1;
      const db = B[p]! - m2;
      if (dl * dl + da * da + db * db <= 100) out.data[p] = 1;
    }
  }
  return { mask: out, maxL };
}

/**
 * Median Lab of the skin just below the chin (rows chin … chin + 0.12 shoulder widths, a central band of ±0.12), or
 * null when fewer than 80 such pixels pass the face's skin model (a turtleneck, a scarf).
 */
function neckSkin(
  img: RawImage,
  lab: Lab,
  parsing: PersonParsing,
  chinY: number,
  midX: number,
  sw: number,
): [number, number, number] | null {
  const { width: w, height: h } = img;
  const { L, A, B } = lab;
  const ls: number[] = [];
  const as: number[] = [];
  const bs: number[] = [];
  for (let y = Math.max(0, Math.round(chinY)); y < Math.min(h, chinY + sw * NECK_SAMPLE_SW); y++) {
    for (
      let x = Math.max(0, Math.round(midX - sw * NECK_SAMPLE_SW));
      x <= Math.min(w - 1, midX + sw * NECK_SAMPLE_SW);
      x++
    ) {
      const p = y * w + x;
      if (!parsing.skin.data[p] || !parsing.person.data[p]) continue;
      ls.push(L[p]!);
      as.push(A[p]!);
      bs.push(B[p]!);
    }
  }
  if (ls.length < 80) return null;
  return [upperMedian(ls), upperMedian(as), upperMedian(bs)];
}

/** The model in the product photo, as the cut-out's stages read it. */
export interface Model {
  img: RawImage;
  lab: Lab;
  parsing: PersonParsing;
  frame: BodyFrame;
  sw: number;
  shoulderY: number;
  hipY: number;
  midX: number;
  /** Down to this row (30 % of the way to the hips) hair can hang over the garment. */
  chestY: number;
}

/** Above the chest, textured pixels this much darker (L*) than the face are hair, not a skin-coloured knit. */
const HAIR_DARKER_L = 8;
/** Far brighter than the skin (L* above the lighter of the face and the arms) is not skin … */
const BRIGHTER_THAN_SKIN_L = 18;
/** … except an arm's highlight that keeps the skin's chroma (at least 60 % of the face's) within this much. */
const ARM_HIGHLIGHT_L = 30;
const HIGHLIGHT_CHROMA = 0.6;
/** Up to the chest, skin is what lies within ΔE 12 (lightness at a quarter weight) of the neck. */
const NECK_LIGHTNESS_WEIGHT = 0.25;
const NECK_DISTANCE2 = 144;
/** A sleeveless garment's zone reaches this far (shoulder widths) past the shoulders and the hips … */
const SLEEVELESS_OUT_SW = 0.1;
const SLEEVELESS_HIP_OUT_SW = 0.25;
/** … and this far below the hips. */
const SLEEVELESS_BELOW_HIPS_SW = 2;
/** Through an armhole, anything this much darker (L*) than the garment's median is its back panel in shadow. */
const ARMHOLE_SHADOW_L = 35;
/** A "skin" region reached from the neck over this share of the torso is a skin-coloured garment, not an opening. */
const OPENING_MAX_SHARE = 0.3;

export interface ModelSkin {
  /** Skin to take off (neck, open collar, arms, hands, legs). */
  skinAll: BinaryMask;
  /** Above the chest: skin by the face's model that is unlike the neck (a pale collar band): garment. */
  unlikeNeck: BinaryMask;
  bothArms: BinaryMask;
  armZone: BinaryMask;
}

/**
 * Skin everywhere (neck, open collar, arms, hands, legs), slightly grown: its rim is a skin/garment blend. What `g`
 * still holds is read.
 * - Skin-coloured but textured is garment (a crochet's cream yarn, a zigzag knit's pinks), not bare leg. Hair is textured too, and darker than the face: above the chest, only what is at least about as light as the
 *   face counts (a crew neck's pink yarn does, a strand of brown hair on the shoulder does not).
 * - Far brighter than the skin (above the lighter of the face and the bare arms: a face in the shade of the hair,
 *   arms in the light) is not skin: the face's chroma band is wide on some models and takes a white shirt's pale
 *   patches in. On the arms, a highlight that keeps the
 *   skin's chroma is still skin (a white shirt's pale patch is grey, a cream tank on a dark-skinned model far
 *   lighter).
 * - Up to the chest, skin is what matches the neck just below the chin (the model's own skin where it certainly
 *   shows): a pale crew-neck band passes the face's wide chroma band and is reached from the neck.
 */
export function modelSkin(m: Model, g: BinaryMask, chinY: number): ModelSkin {
  const { img, lab, parsing, sw, midX, chestY } = m;
  const { width: w, height: h } = img;
  const textured = texturedMask(img, lab, g);
  const [faceL, fa, fb] = rgbToLab(...parsing.skinColor);
  const { L: lum, A: ca, B: cb } = lab;
  for (let p = 0; p < Math.min(h, Math.max(0, chestY)) * w; p++) {
    if (lum[p]! < faceL - HAIR_DARKER_L) textured.data[p] = 0;
  }
  const arm = armSkin(img, lab, parsing, textured);
  const refL = Math.max(faceL, arm.maxL);
  const bothArms = or(parsing.armLeft, parsing.armRight);
  const armZone = dilate(bothArms, 4);
  const chroma2 = (fa * fa + fb * fb) * HIGHLIGHT_CHROMA * HIGHLIGHT_CHROMA;
  const bright = emptyMask(w, h);
  for (let p = 0; p < w * h; p++) {
    if (!g.data[p] || lum[p]! <= refL + BRIGHTER_THAN_SKIN_L) continue;
    const highlight =
      armZone.data[p] && lum[p]! <= refL + ARM_HIGHLIGHT_L && ca[p]! * ca[p]! + cb[p]! * cb[p]! >= chroma2;
    if (!highlight) bright.data[p] = 1;
  }
  const skinAll = and(andNot(or(andNot(open(parsing.skin, 1), textured), arm.mask), bright), g);
  const neckSample = neckSkin(img, lab, parsing, chinY, midX, sw);
  const unlikeNeck = emptyMask(w, h);
  if (neckSample) {
    const [n0, n1, n2] = neckSample;
    for (let p = 0; p < Math.min(h, Math.max(0, chestY)) * w; p++) {
      if (!g.data[p] || !parsing.skin.data[p]) continue;
      const dl = (lum[p]! - n0) * NECK_LIGHTNESS_WEIGHT;
      const da = ca[p]! - n1;
      const db = cb[p]! - n2;
      if (dl * dl + da * da + db * db > NECK_DISTANCE2) {
        skinAll.data[p] = 0;
        unlikeNeck.data[p] = 1;
      }
    }
  }
  return { skinAll, unlikeNeck, bothArms, armZone };
}

/**
 * A sleeveless garment has nothing along the arms outside the shoulder–hip quadrilateral: an arm in shade (a dark
 * upper arm beside the armhole) fails the face's skin model and stayed on the cut-out as a brown patch. Through the
 * armhole one sees the inside of the back panel in shadow: along the arms, anything far darker than the garment's
 * own median is that, not the garment (a print's or a knit's dark stripes are textured; the shadow is flat).
 */
export function withoutBareArms(m: Model, g: BinaryMask, bothArms: BinaryMask, armZone: BinaryMask): BinaryMask {
  const { img, lab, parsing, frame, sw } = m;
  const { width: w, height: h } = img;
  const lum = lab.L;
  const quad = emptyMask(w, h);
  const out = sw * SLEEVELESS_OUT_SW;
  const hipOut = sw * SLEEVELESS_HIP_OUT_SW;
  const down = sw * SLEEVELESS_BELOW_HIPS_SW;
  drawPolygon(quad, [
    { x: frame.lShoulder.x - out, y: frame.lShoulder.y - sw },
    { x: frame.rShoulder.x + out, y: frame.rShoulder.y - sw },
    { x: frame.rShoulder.x + out, y: frame.rShoulder.y },
    { x: frame.rHip.x + hipOut, y: frame.rHip.y + down },
    { x: frame.lHip.x - hipOut, y: frame.lHip.y + down },
    { x: frame.lShoulder.x - out, y: frame.lShoulder.y },
  ]);
  const kept = andNot(g, andNot(bothArms, quad));
  const ls: number[] = [];
  for (let p = 0; p < w * h; p++) if (kept.data[p] && parsing.upperBody.data[p]) ls.push(lum[p]!);
  if (ls.length > 0) {
    ls.sort((a, b) => a - b);
    const dark = ls[ls.length >> 1]! - ARMHOLE_SHADOW_L;
    const rough = texturedMask(img, lab, armZone);
    for (let p = 0; p < w * h; p++)
      if (armZone.data[p] && kept.data[p] && lum[p]! < dark && !rough.data[p]) kept.data[p] = 0;
  }
  return kept;
}

/**
 * The skin that is cut: an opening reached from the neck (a V, an open collar), or bare skin reaching the torso from
 * outside it (a midriff between a tied shirt and the shorts, continuing round the waist to the arms); outside the
 * torso every skin pixel. A "skin" region reached from the neck that covers a third of the torso is a garment of
 * skin-like colour (a pastel knit), not an opening.
 */
export function skinOpenings(m: Model, skinAll: BinaryMask, bothArms: BinaryMask): BinaryMask {
  const { parsing } = m;
  const { width: w, height: h } = m.img;
  const arms = dilate(bothArms, 2);
  const inner = andNot(parsing.upperBody, arms);
  const { labels: sl, sizes: ss } = components(skinAll);
  const fromNeck = new Uint8Array(ss.length);
  const outside = new Uint8Array(ss.length);
  const neckZone = dilate(or(parsing.neck, parsing.head), 4);
  for (let p = 0; p < w * h; p++) {
    const l = sl[p]!;
    if (!l) continue;
    if (neckZone.data[p]) fromNeck[l] = 1;
    if (!inner.data[p]) outside[l] = 1;
  }
  const innerArea = countMask(inner);
  const inTorso = new Float64Array(ss.length);
  for (let p = 0; p < w * h; p++) if (sl[p] && inner.data[p]) inTorso[sl[p]!]!++;
  const skinCut = emptyMask(w, h);
  for (let p = 0; p < w * h; p++) {
    const l = sl[p]!;
    const neckOpening = (fromNeck[l] || outside[l]) && inTorso[l]! < innerArea * OPENING_MAX_SHARE;
    if (l && (neckOpening || (outside[l] && !inner.data[p]))) skinCut.data[p] = 1;
  }
  return skinCut;
}
