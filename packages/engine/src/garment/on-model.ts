/**
 * Cutting a garment off a model (product photos worn by a person). The person pipeline runs on the product photo
 * itself; the garment is what is left of the person once everything that is the model (face, hair, neck, bare arms,
 * hands and legs, the other garment) is taken away. Subtracting is more robust than growing the garment by colour:
 * crochet, zigzag knits and prints have no single colour to grow from.
 */
import { type BodyFrame, bodyFrame } from '../body/frame.js';
import { type PersonParsing, parsePerson } from '../body/parsing.js';
import { CHIN_ABOVE_SHOULDERS_SW } from '../body/proportions.js';
import { EngineError } from '../engine.js';
import { boxBlur } from '../raster/blur.js';
import { labPlanes, rgbToLab, upperMedian } from '../raster/colour.js';
import { components, fillHoles } from '../raster/components.js';
import { drawPolygon } from '../raster/draw.js';
import { and, andNot, type BinaryMask, countMask, emptyMask, or } from '../raster/mask.js';
import { close, dilate, open } from '../raster/morphology.js';
import type { PersonDetection, RawImage } from '../vision/types.js';

/** L*a*b* planes of the whole product photo, converted once per cut-out (see `labPlanes`). */
type Lab = ReturnType<typeof labPlanes>;

/** The neck's skin is sampled in a square this size (shoulder widths) just below the chin, on the centre line. */
const NECK_SAMPLE_SW = 0.12;
/** Hem notches: from this far above the hips down … */
const NOTCH_ABOVE_HIPS_SW = 0.3;
/** … each row widened to the median extent of the rows within this distance … */
const NOTCH_ROWS_SW = 0.25;
/** … and gaps narrower than this filled (a wider gap is between the legs). */
const NOTCH_MAX_GAP_SW = 0.35;

export interface OnModelCut {
  mask: BinaryMask;
  /** The model's body frame in the product photo: its shoulders and hips seed the garment's landmarks. */
  frame: BodyFrame;
}

/**
 * Hair: the head's pixels that are neither face skin nor background give a colour; person pixels of that colour
 * connected to the head, down to about the chest, are hair hanging over the shoulders (the parsing's head stops at
 * the chin). Growth is limited to the colour model AND to small steps between neighbours, so that a garment stripe
 * of a similar brown touching the hair is not swallowed whole.
 */
function hairMask(img: RawImage, lab: Lab, parsing: PersonParsing, maxY: number): BinaryMask {
  const { width: w, height: h } = img;
  const { L, A, B } = lab;
  const seed = andNot(parsing.head, dilate(parsing.skin, 1));
  const ls: number[] = [];
  const as: number[] = [];
  const bs: number[] = [];
  for (let p = 0; p < w * h; p++) {
    if (!seed.data[p] || !parsing.person.data[p]) continue;
    ls.push(L[p]!);
    as.push(A[p]!);
    bs.push(B[p]!);
  }
  const out = emptyMask(w, h);
  if (ls.length < 200) return out;
  const m0 = upperMedian(ls);
  const m1 = upperMedian(as);
  const m2 = upperMedian(bs);
  const tol2 = 14 * 14;
  const od = out.data;
  const stack = new Int32Array(w * h);
  let sp = 0;
  for (let p = 0; p < w * h; p++) {
    if (seed.data[p] && parsing.person.data[p]) {
      od[p] = 1;
      stack[sp++] = p;
    }
  }
  const yMax = Math.min(h, Math.round(maxY));
  while (sp > 0) {
    const p = stack[--sp]!;
    const x = p % w;
    const y = (p / w) | 0;
    const nbrs = [x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, y > 0 ? p - w : -1, y < yMax - 1 ? p + w : -1];
    for (const q of nbrs) {
      if (q < 0 || od[q] || !parsing.person.data[q] || parsing.skin.data[q]) continue;
      const dl = (L[q]! - m0) * 0.6;
      const da = A[q]! - m1;
      const db = B[q]! - m2;
      if (dl * dl + da * da + db * db > tol2) continue;
      const nl = L[q]! - L[p]!;
      const na = A[q]! - A[p]!;
      const nb = B[q]! - B[p]!;
      if (nl * nl + na * na + nb * nb > 100) continue;
      od[q] = 1;
      stack[sp++] = q;
    }
  }
  return out;
}

/**
 * The lower garment by its colour: the median Lab of the person's non-skin pixels in a band below the hips (jeans,
 * shorts, a skirt), removed from `fromY` down wherever within ΔE 12. The parsing's own lower region is grown only
 * outside what it took for the upper garment, which on a patterned top with a blue stripe includes the jeans.
 */
function lowerByColour(img: RawImage, lab: Lab, parsing: PersonParsing, fromY: number, sampleY: number): BinaryMask {
  const { width: w, height: h } = img;
  const out = emptyMask(w, h);
  const { L, A, B } = lab;
  const f = parsing.frame;
  const x0 = Math.round(Math.min(f.lHip.x, f.rHip.x));
  const x1 = Math.round(Math.max(f.lHip.x, f.rHip.x));
  const ls: number[] = [];
  const as: number[] = [];
  const bs: number[] = [];
  // Half-length product photos end at the thigh: sample the last rows then.
  const sy = Math.max(0, Math.min(Math.round(sampleY), h - 24));
  for (let y = sy; y < Math.min(h, sy + 20); y++) {
    for (let x = Math.max(0, x0); x <= Math.min(w - 1, x1); x++) {
      const p = y * w + x;
      if (!parsing.person.data[p] || parsing.skin.data[p]) continue;
      ls.push(L[p]!);
      as.push(A[p]!);
      bs.push(B[p]!);
    }
  }
  if (ls.length < 100) return out;
  const m0 = upperMedian(ls);
  const m1 = upperMedian(as);
  const m2 = upperMedian(bs);
  for (let p = Math.max(0, Math.round(fromY)) * w; p < w * h; p++) {
    if (!parsing.person.data[p]) continue;
    const dl = (L[p]! - m0) * 0.5;
    const da = A[p]! - m1;
    const db = B[p]! - m2;
    if (dl * dl + da * da + db * db <= 144) out.data[p] = 1;
  }
  return out;
}

/**
 * Textured pixels: where the local standard deviation of L* (7×7) exceeds 6 in most of a 11×11 neighbourhood. Skin is
 * smooth (median 2–2.5 on the fixtures' arms); a crochet or a zigzag knit whose pinks and beiges match the face's
 * chroma is not (median 12–20). A majority over the neighbourhood keeps the thin bright line along an arm's outline
 * (a skin/background edge) from counting as texture.
 */
function texturedMask(img: RawImage, lab: Lab, where: BinaryMask): BinaryMask {
  const { width: w, height: h } = img;
  const { L } = lab;
  const L2 = new Float32Array(L.length);
  for (let i = 0; i < L.length; i++) L2[i] = L[i]! * L[i]!;
  const m1 = boxBlur(L, w, h, 3);
  const m2 = boxBlur(L2, w, h, 3);
  const rough = new Float32Array(w * h);
  for (let p = 0; p < w * h; p++) rough[p] = m2[p]! - m1[p]! * m1[p]! > 36 ? 1 : 0;
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

export interface OnModelOptions {
  /** Keep everything down to the hem (a dress); otherwise the garment stops where the lower garment begins. */
  dress: boolean;
  /** The product's words say sleeveless: nothing along the arms past the armhole is garment. */
  sleeveless?: boolean;
}

/** The model in the product photo, as the cut-out's stages read it. */
interface Model {
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

/** The chin is at least this far (shoulder widths) above the shoulder line (below the face outline's lowest point
 * only where that is higher; without a face, CHIN_ABOVE_SHOULDERS_SW above it). */
const CHIN_MIN_ABOVE_SHOULDERS_SW = 0.05;
/** Hair may hang down to 60 % of the way from the shoulders to the hips. */
const HAIR_DEPTH = 0.6;
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
/** A bare midriff: rows, each side of the centre line (shoulder widths) … */
const MIDRIFF_HALF_SW = 0.35;
/** … from 45 % of the way to the hips down to this far below them … */
const MIDRIFF_FROM = 0.45;
const MIDRIFF_BELOW_HIPS_SW = 0.15;
/** … where at least 40 % is skin, over this many rows (shoulder widths; at least 3). */
const MIDRIFF_SKIN = 0.4;
const MIDRIFF_ROWS_SW = 0.025;
/** A lower garment of the top's colour is looked for from this far above the hips, sampled this far below them. */
const LOWER_FROM_ABOVE_HIPS_SW = 0.35;
const LOWER_SAMPLE_BELOW_HIPS_SW = 0.6;
/** Below the hips by this much nothing is the top. */
const TOP_END_BELOW_HIPS_SW = 0.15;
/** The chest the garment must overlap: this wide each side (shoulder widths), from below the collar to 80 % down. */
const CHEST_HALF_SW = 0.3;
const CHEST_TOP_SW = 0.1;
const CHEST_BOTTOM = 0.8;
/** The opening that takes thin appendages off (a strand of hair, a bag's strap), in shoulder widths (at least 3). */
const APPENDAGE_SW = 0.025;
/** The hips' span from the joints (×1.5); rows at the bottom narrower than 40 % of it are a leg or a hand. */
const HIP_SPAN = 1.5;
const STALK_SHARE = 0.4;
/** Stalks are trimmed up to this far (shoulder widths) above the hips. */
const STALK_ABOVE_HIPS_SW = 0.2;
/** A cut-out under 4 % of the photo, or a torso over 60 % skin, is no garment. */
const MIN_GARMENT_SHARE = 0.04;
const MAX_TORSO_SKIN = 0.6;

/**
 * Head: the face oval and everything above the chin (hair, ears), at any x: long hair falls wide of the face; then
 * hair over the shoulders and chest. Returns what is left of the person, and the chin's row.
 */
function withoutHeadAndHair(m: Model): { g: BinaryMask; chinY: number } {
  const { img, lab, parsing, sw, shoulderY, hipY } = m;
  const { width: w, height: h } = img;
  let g = parsing.person;
  const head = dilate(parsing.head, 3);
  let chinY = shoulderY - sw * CHIN_ABOVE_SHOULDERS_SW;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) if (parsing.head.data[y * w + x] && y > chinY) chinY = y;
  }
  chinY = Math.min(chinY, shoulderY - sw * CHIN_MIN_ABOVE_SHOULDERS_SW);
  const above = emptyMask(w, h);
  for (let p = 0; p < Math.round(chinY) * w && p < w * h; p++) above.data[p] = 1;
  g = andNot(andNot(g, head), above);
  g = andNot(g, dilate(hairMask(img, lab, parsing, shoulderY + (hipY - shoulderY) * HAIR_DEPTH), 1));
  return { g, chinY };
}

interface ModelSkin {
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
function modelSkin(m: Model, g: BinaryMask, chinY: number): ModelSkin {
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
function withoutBareArms(m: Model, g: BinaryMask, bothArms: BinaryMask, armZone: BinaryMask): BinaryMask {
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
function skinOpenings(m: Model, skinAll: BinaryMask, bothArms: BinaryMask): BinaryMask {
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

/**
 * A top ends where the lower garment begins. A bare midriff (a tied or cropped top): rows between the chest and the
 * hips where most of the body's middle is skin; the top ends there, and what lies below is the lower garment, even
 * in the top's own print. Below the hips nothing is the top (shorts of the same print).
 */
function topOnly(m: Model, g: BinaryMask, skinCut: BinaryMask, skinAll: BinaryMask): BinaryMask {
  const { img, lab, parsing, sw, shoulderY, hipY, midX } = m;
  const { width: w, height: h } = img;
  const half = Math.round(sw * MIDRIFF_HALF_SW);
  let run = 0;
  for (
    let y = Math.round(shoulderY + (hipY - shoulderY) * MIDRIFF_FROM);
    y < Math.min(h, hipY + sw * MIDRIFF_BELOW_HIPS_SW);
    y++
  ) {
    let skinN = 0;
    for (let x = Math.max(0, Math.round(midX) - half); x <= Math.min(w - 1, Math.round(midX) + half); x++) {
      skinN += skinCut.data[y * w + x]! | (skinAll.data[y * w + x]! & parsing.person.data[y * w + x]!);
    }
    run = skinN >= half * 2 * MIDRIFF_SKIN ? run + 1 : 0;
    if (run >= Math.max(3, sw * MIDRIFF_ROWS_SW)) {
      g.data.fill(0, Math.max(0, y - run + 1) * w);
      break;
    }
  }
  let top = andNot(g, parsing.lowerClothes);
  top = andNot(
    top,
    lowerByColour(img, lab, parsing, hipY - sw * LOWER_FROM_ABOVE_HIPS_SW, hipY + sw * LOWER_SAMPLE_BELOW_HIPS_SW),
  );
  const lowY = Math.round(hipY + sw * TOP_END_BELOW_HIPS_SW);
  const cut = emptyMask(w, h);
  for (let p = Math.max(0, lowY) * w; p < w * h; p++) cut.data[p] = 1;
  return andNot(top, cut);
}

/**
 * The garment's piece: bare arms and hands went with the skin test, and an opening breaks the thin skin/garment
 * blend lines left along the arms; what is connected to the torso stays (the largest component overlapping the
 * chest). Holes (a print's skin-coloured motif, a button) are garment; an open collar's V reaches the outline so it
 * is not a hole and stays open. Thin appendages (a strand of hair, a strap of the bag, slivers of arm along a side)
 * go with a second opening. A leg or a hand hanging below the hem stays attached to it as a narrow stalk: rows at
 * the bottom narrower than 40 % of the hips are not the garment.
 */
function garmentPiece(m: Model, g: BinaryMask): BinaryMask {
  const { parsing, frame, sw, shoulderY, hipY, midX } = m;
  const { width: w, height: h } = m.img;
  const opened = open(g, 2);
  const chest = emptyMask(w, h);
  const chestTop = shoulderY + sw * CHEST_TOP_SW;
  const chestBottom = shoulderY + (hipY - shoulderY) * CHEST_BOTTOM;
  const half = sw * CHEST_HALF_SW;
  drawPolygon(chest, [
    { x: midX - half, y: chestTop },
    { x: midX + half, y: chestTop },
    { x: midX + half, y: chestBottom },
    { x: midX - half, y: chestBottom },
  ]);
  const { labels, sizes } = components(opened);
  const overlap = new Float64Array(sizes.length);
  for (let p = 0; p < w * h; p++) if (chest.data[p] && labels[p]) overlap[labels[p]!]!++;
  let best = 0;
  for (let i = 1; i < sizes.length; i++) {
    if (overlap[i]! > 0 && (best === 0 || sizes[i]! > sizes[best]!)) best = i;
  }
  let mask = emptyMask(w, h);
  if (best > 0) for (let p = 0; p < w * h; p++) mask.data[p] = labels[p] === best ? 1 : 0;
  mask = and(fillHoles(close(mask, 2)), parsing.person);
  mask = open(mask, Math.max(3, sw * APPENDAGE_SW));
  const hipSpan = Math.hypot(frame.rHip.x - frame.lHip.x, frame.rHip.y - frame.lHip.y) * HIP_SPAN;
  for (let y = h - 1; y > hipY - sw * STALK_ABOVE_HIPS_SW; y--) {
    let n = 0;
    for (let x = 0; x < w; x++) n += mask.data[y * w + x]!;
    if (n >= hipSpan * STALK_SHARE) break;
    mask.data.fill(0, y * w, (y + 1) * w);
  }
  return mask;
}

/**
 * The garment worn by the model in `img` (see {@link OnModelOptions}; a boolean is `dress`). Throws
 * GARMENT_NOT_DETECTED when no body is found, or what is left is too small or mostly skin.
 */
export function cutGarmentOffModel(img: RawImage, det: PersonDetection, opts: OnModelOptions | boolean): OnModelCut {
  const { dress: wantDress, sleeveless = false } = typeof opts === 'boolean' ? { dress: opts } : opts;
  const frame = det.keypoints.length > 0 ? bodyFrame(det) : null;
  if (!frame || !det.mask) {
    throw new EngineError(
      'GARMENT_NOT_DETECTED',
      'The product photo shows no plain background and no model to take the garment from.',
    );
  }
  const { width: w, height: h } = img;
  const parsing = parsePerson(img, det, frame, { lower: !wantDress });
  const shoulderY = (frame.lShoulder.y + frame.rShoulder.y) / 2;
  const hipY = (frame.lHip.y + frame.rHip.y) / 2;
  const m: Model = {
    img,
    // Every colour test reads these planes (only at pixels of the person): converted once.
    lab: labPlanes(img),
    parsing,
    frame,
    sw: frame.shoulderWidth,
    shoulderY,
    hipY,
    midX: (frame.lShoulder.x + frame.rShoulder.x) / 2,
    chestY: Math.round(shoulderY + (hipY - shoulderY) * 0.3),
  };
  const head = withoutHeadAndHair(m);
  let g = head.g;
  const skin = modelSkin(m, g, head.chinY);
  if (sleeveless) g = withoutBareArms(m, g, skin.bothArms, skin.armZone);
  const skinCut = skinOpenings(m, skin.skinAll, skin.bothArms);
  const before = countMask(and(g, parsing.upperBody));
  g = andNot(g, dilate(skinCut, 1));
  g = andNot(g, andNot(parsing.neck, skin.unlikeNeck));
  const torsoSkin = before > 0 ? 1 - countMask(and(g, parsing.upperBody)) / before : 1;
  if (!wantDress) g = topOnly(m, g, skinCut, skin.skinAll);
  const mask = garmentPiece(m, g);
  const share = countMask(mask) / (w * h);
  if (share < MIN_GARMENT_SHARE || torsoSkin > MAX_TORSO_SKIN) {
    throw new EngineError('GARMENT_NOT_DETECTED', 'No garment could be separated from the model in the product photo.');
  }
  return { mask, frame };
}

/**
 * The model's hands at the skirt or at a top's hem leave bites in the cut-out's sides (a hand in a pocket, hands
 * held against a dress), which the warp carries onto the person as holes in the hem. From a little above the hips
 * down, each row's extent is widened to the median extent of the rows around it (±0.25 shoulder widths) and filled
 * where it has gaps narrower than 0.35 shoulder widths (a wider gap is between legs); a filled pixel takes the colour
 * interpolated from the garment two pixels inside either side of its gap (or the one side at the outline).
 */
export function fillHemNotches(
  img: RawImage,
  mask: BinaryMask,
  frame: BodyFrame,
): { image: RawImage; mask: BinaryMask } {
  const { width: w, height: h, channels: ch } = img;
  const out = new Uint8Array(img.data);
  const m = { ...mask, data: new Uint8Array(mask.data) };
  const sw = frame.shoulderWidth;
  const hipY = (frame.lHip.y + frame.rHip.y) / 2;
  const maxGap = sw * NOTCH_MAX_GAP_SW;
  const y0 = Math.max(0, Math.round(hipY - sw * NOTCH_ABOVE_HIPS_SW));
  const A = new Int32Array(h).fill(-1);
  const B = new Int32Array(h).fill(-1);
  for (let y = y0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask.data[y * w + x]) continue;
      if (A[y]! < 0) A[y] = x;
      B[y] = x;
    }
  }
  const k = Math.max(2, Math.round(sw * NOTCH_ROWS_SW));
  const med = (arr: Int32Array, y: number): number => {
    const v: number[] = [];
    for (let yy = Math.max(y0, y - k); yy <= Math.min(h - 1, y + k); yy++) if (arr[yy]! >= 0) v.push(arr[yy]!);
    v.sort((p, q) => p - q);
    return v[v.length >> 1] ?? -1;
  };
  for (let y = y0; y < h; y++) {
    if (A[y]! < 0) continue;
    const row = y * w;
    const a = Math.min(A[y]!, Math.max(0, med(A, y)));
    const b = Math.max(B[y]!, med(B, y));
    let x = a;
    while (x <= b) {
      if (mask.data[row + x]) {
        x++;
        continue;
      }
      const g0 = x - 1;
      let g1 = x;
      while (g1 <= b && !mask.data[row + g1]) g1++;
      const hasL = g0 >= A[y]!;
      const hasR = g1 <= B[y]!;
      if (g1 - g0 - 1 <= maxGap && (hasL || hasR)) {
        const ql = row + (hasL ? Math.max(A[y]!, g0 - 2) : Math.min(B[y]!, g1 + 2));
        const qr = row + (hasR ? Math.min(B[y]!, g1 + 2) : Math.max(A[y]!, g0 - 2));
        for (let xx = g0 + 1; xx < g1; xx++) {
          const t = (xx - g0) / (g1 - g0);
          for (let c = 0; c < 3; c++) {
            out[(row + xx) * ch + c] = Math.round(img.data[ql * ch + c]! * (1 - t) + img.data[qr * ch + c]! * t);
          }
          m.data[row + xx] = 1;
        }
      }
      x = g1;
    }
  }
  return { image: { ...img, data: out }, mask: m };
}
