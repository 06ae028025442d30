/**
 * Cutting a garment off a model (product photos worn by a person). The person pipeline runs on the product photo
 * itself; the garment is what is left of the person once everything that is the model (face, hair, neck, bare arms,
 * hands and legs, the other garment) is taken away. Subtracting is more robust than growing the garment by colour:
 * crochet, zigzag knits and prints have no single colour to grow from.
 */
import { type BodyFrame, bodyFrame } from '../body/frame.js';
import { type PersonParsing, parsePerson } from '../body/parsing.js';
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
  for (let y = Math.max(0, Math.round(chinY)); y < Math.min(h, chinY + sw * 0.12); y++) {
    for (let x = Math.max(0, Math.round(midX - sw * 0.12)); x <= Math.min(w - 1, midX + sw * 0.12); x++) {
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
  // Every colour test below reads these planes (only at pixels of the person): converted once.
  const lab = labPlanes(img);
  const sw = frame.shoulderWidth;
  const shoulderY = (frame.lShoulder.y + frame.rShoulder.y) / 2;
  const hipY = (frame.lHip.y + frame.rHip.y) / 2;
  const midX = (frame.lShoulder.x + frame.rShoulder.x) / 2;

  let g = parsing.person;
  // Head: the face oval and everything above the chin (hair, ears), at any x: long hair falls wide of the face.
  const head = dilate(parsing.head, 3);
  let chinY = shoulderY - sw * 0.35;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) if (parsing.head.data[y * w + x] && y > chinY) chinY = y;
  }
  chinY = Math.min(chinY, shoulderY - sw * 0.05);
  const above = emptyMask(w, h);
  for (let p = 0; p < Math.round(chinY) * w && p < w * h; p++) above.data[p] = 1;
  g = andNot(andNot(g, head), above);
  // Hair over the shoulders and chest.
  g = andNot(g, dilate(hairMask(img, lab, parsing, shoulderY + (hipY - shoulderY) * 0.6), 1));
  // Skin everywhere (neck, open collar, arms, hands, legs), slightly grown: its rim is a skin/garment blend.
  // Inside the torso (arms excluded) only skin reached from the neck counts (an open collar, a V, a bare midriff
  // below a cropped top reached through the sides is caught by the outside rule): a cream or beige garment matches
  // the face's chroma in patches, and those patches are garment.
  // Skin-coloured but textured is garment (a crochet's cream yarn, a zigzag knit's pinks): without this test the
  // dress below the hips, outside the torso, went as "bare leg" and the on-model dress came out at tunic length.
  // Hair is textured too, and darker than the face: above the chest, only what is at least about as light as the
  // face counts (a crew neck's pink yarn does, a strand of brown hair on the shoulder does not).
  const textured = texturedMask(img, lab, g);
  const [faceL, fa, fb] = rgbToLab(...parsing.skinColor);
  const { L: lum, A: ca, B: cb } = lab;
  const chestY = Math.round(shoulderY + (hipY - shoulderY) * 0.3);
  for (let p = 0; p < Math.min(h, Math.max(0, chestY)) * w; p++) if (lum[p]! < faceL - 8) textured.data[p] = 0;
  // Far brighter than the skin (18 L* above the lighter of the face and the bare arms: a face in the shade of the
  // hair, arms in the light) is not skin: the face's chroma band is wide on some models and took a white shirt's
  // every pale patch for skin (the sleeves then went as "bare arms", in pieces). On the arms, a highlight that keeps
  // the skin's chroma and stays within 30 L* is still skin (a white shirt's pale patch is grey, a cream tank on a
  // dark-skinned model far lighter).
  const arm = armSkin(img, lab, parsing, textured);
  const refL = Math.max(faceL, arm.maxL);
  const bothArms = or(parsing.armLeft, parsing.armRight);
  const armZone = dilate(bothArms, 4);
  const chroma2 = (fa * fa + fb * fb) * 0.6 * 0.6;
  const bright = emptyMask(w, h);
  for (let p = 0; p < w * h; p++) {
    if (!g.data[p] || lum[p]! <= refL + 18) continue;
    const highlight = armZone.data[p] && lum[p]! <= refL + 30 && ca[p]! * ca[p]! + cb[p]! * cb[p]! >= chroma2;
    if (!highlight) bright.data[p] = 1;
  }
  const skinAll = and(andNot(or(andNot(open(parsing.skin, 1), textured), arm.mask), bright), g);
  // Up to the chest, skin is what matches the neck just below the chin (the model's own skin where it certainly
  // shows): a pale crew-neck band passed the face's wide chroma band, was reached from the neck and went with it,
  // leaving the dress without its neckline and shoulders.
  const neckSample = neckSkin(img, lab, parsing, chinY, midX, sw);
  const unlikeNeck = emptyMask(w, h);
  if (neckSample) {
    const [n0, n1, n2] = neckSample;
    for (let p = 0; p < Math.min(h, Math.max(0, chestY)) * w; p++) {
      if (!g.data[p] || !parsing.skin.data[p]) continue;
      const dl = (lum[p]! - n0) * 0.25;
      const da = ca[p]! - n1;
      const db = cb[p]! - n2;
      if (dl * dl + da * da + db * db > 144) {
        skinAll.data[p] = 0;
        unlikeNeck.data[p] = 1;
      }
    }
  }
  const arms = dilate(bothArms, 2);
  if (sleeveless) {
    // A sleeveless garment has nothing along the arms outside the shoulder–hip quadrilateral: an arm in shade (a dark
    // upper arm beside the armhole) fails the face's skin model and stayed on the cut-out as a brown patch.
    const quad = emptyMask(w, h);
    const out = sw * 0.1;
    drawPolygon(quad, [
      { x: frame.lShoulder.x - out, y: frame.lShoulder.y - sw },
      { x: frame.rShoulder.x + out, y: frame.rShoulder.y - sw },
      { x: frame.rShoulder.x + out, y: frame.rShoulder.y },
      { x: frame.rHip.x + sw * 0.25, y: frame.rHip.y + sw * 2 },
      { x: frame.lHip.x - sw * 0.25, y: frame.lHip.y + sw * 2 },
      { x: frame.lShoulder.x - out, y: frame.lShoulder.y },
    ]);
    g = andNot(g, andNot(bothArms, quad));
    // Through the armhole one sees the inside of the back panel in shadow: along the arms, anything far darker than
    // the garment's own median is that, not the garment.
    const ls: number[] = [];
    for (let p = 0; p < w * h; p++) if (g.data[p] && parsing.upperBody.data[p]) ls.push(lum[p]!);
    if (ls.length > 0) {
      ls.sort((a, b) => a - b);
      const dark = ls[ls.length >> 1]! - 35;
      // A print's or a knit's dark stripes are textured; the shadow is flat.
      const rough = texturedMask(img, lab, armZone);
      for (let p = 0; p < w * h; p++)
        if (armZone.data[p] && g.data[p] && lum[p]! < dark && !rough.data[p]) g.data[p] = 0;
    }
  }
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
  // A "skin" region reached from the neck that covers a third of the torso is a garment of skin-like colour (a
  // pastel knit), not an opening.
  const innerArea = countMask(inner);
  const inTorso = new Float64Array(ss.length);
  for (let p = 0; p < w * h; p++) if (sl[p] && inner.data[p]) inTorso[sl[p]!]!++;
  const skinCut = emptyMask(w, h);
  for (let p = 0; p < w * h; p++) {
    const l = sl[p]!;
    // An opening reached from the neck (a V, an open collar), or bare skin reaching the torso from outside it (a
    // midriff between a tied shirt and the shorts, continuing round the waist to the arms).
    const neckOpening = (fromNeck[l] || outside[l]) && inTorso[l]! < innerArea * 0.3;
    if (l && (neckOpening || (outside[l] && !inner.data[p]))) skinCut.data[p] = 1;
  }
  const before = countMask(and(g, parsing.upperBody));
  g = andNot(g, dilate(skinCut, 1));
  g = andNot(g, andNot(parsing.neck, unlikeNeck));
  const torsoSkin = before > 0 ? 1 - countMask(and(g, parsing.upperBody)) / before : 1;
  if (!wantDress) {
    // A bare midriff (a tied or cropped top): rows between the chest and the hips where most of the body's middle is
    // skin. The top ends there; what lies below is the lower garment, even in the top's own print.
    const half = Math.round(sw * 0.35);
    let run = 0;
    for (let y = Math.round(shoulderY + (hipY - shoulderY) * 0.45); y < Math.min(h, hipY + sw * 0.15); y++) {
      let skinN = 0;
      for (let x = Math.max(0, Math.round(midX) - half); x <= Math.min(w - 1, Math.round(midX) + half); x++) {
        skinN += skinCut.data[y * w + x]! | (skinAll.data[y * w + x]! & parsing.person.data[y * w + x]!);
      }
      run = skinN >= half * 2 * 0.4 ? run + 1 : 0;
      if (run >= Math.max(3, sw * 0.025)) {
        g.data.fill(0, Math.max(0, y - run + 1) * w);
        break;
      }
    }
    // A top ends where the lower garment begins; below the hips nothing is the top (shorts of the same print).
    g = andNot(g, parsing.lowerClothes);
    g = andNot(g, lowerByColour(img, lab, parsing, hipY - sw * 0.35, hipY + sw * 0.6));
    const lowY = Math.round(hipY + sw * 0.15);
    const cut = emptyMask(w, h);
    for (let p = Math.max(0, lowY) * w; p < w * h; p++) cut.data[p] = 1;
    g = andNot(g, cut);
  }
  // Bare arms and hands went with the skin test (outside the torso every skin pixel goes); a sleeve is not skin and
  // stays. The opening breaks the thin skin/garment blend lines left along the arms.
  g = open(g, 2);
  // Keep what is connected to the torso: the largest component overlapping the chest.
  const chest = emptyMask(w, h);
  drawPolygon(chest, [
    { x: midX - sw * 0.3, y: shoulderY + sw * 0.1 },
    { x: midX + sw * 0.3, y: shoulderY + sw * 0.1 },
    { x: midX + sw * 0.3, y: shoulderY + (hipY - shoulderY) * 0.8 },
    { x: midX - sw * 0.3, y: shoulderY + (hipY - shoulderY) * 0.8 },
  ]);
  const { labels, sizes } = components(g);
  const overlap = new Float64Array(sizes.length);
  for (let p = 0; p < w * h; p++) if (chest.data[p] && labels[p]) overlap[labels[p]!]!++;
  let best = 0;
  for (let i = 1; i < sizes.length; i++) {
    if (overlap[i]! > 0 && (best === 0 || sizes[i]! > sizes[best]!)) best = i;
  }
  let mask = emptyMask(w, h);
  if (best > 0) for (let p = 0; p < w * h; p++) mask.data[p] = labels[p] === best ? 1 : 0;
  // Holes (a print's skin-coloured motif, a button) are garment; an open collar's V reaches the outline so it is
  // not a hole and stays open. Thin appendages (a strand of hair, a strap of the bag, slivers of arm along a side)
  // go with the opening.
  mask = and(fillHoles(close(mask, 2)), parsing.person);
  mask = open(mask, Math.max(3, sw * 0.025));
  // A leg or a hand hanging below the hem stays attached to it as a narrow stalk: rows at the bottom narrower than
  // 40 % of the hips are not the garment.
  const hipSpan = Math.hypot(frame.rHip.x - frame.lHip.x, frame.rHip.y - frame.lHip.y) * 1.5;
  for (let y = h - 1; y > hipY - sw * 0.2; y--) {
    let n = 0;
    for (let x = 0; x < w; x++) n += mask.data[y * w + x]!;
    if (n >= hipSpan * 0.4) break;
    mask.data.fill(0, y * w, (y + 1) * w);
  }
  const share = countMask(mask) / (w * h);
  if (share < 0.04 || torsoSkin > 0.6) {
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
  const maxGap = sw * 0.35;
  const y0 = Math.max(0, Math.round(hipY - sw * 0.3));
  const A = new Int32Array(h).fill(-1);
  const B = new Int32Array(h).fill(-1);
  for (let y = y0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask.data[y * w + x]) continue;
      if (A[y]! < 0) A[y] = x;
      B[y] = x;
    }
  }
  const k = Math.max(2, Math.round(sw * 0.25));
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
