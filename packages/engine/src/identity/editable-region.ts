/**
 * Where an external engine may change the person photo: the region a garment of the product's category can cover or
 * replace, read from the composite engine's body map (body/parsing.ts). Everything else — head, hair, neck, hands,
 * the rest of the body and the background — is the person's own pixels after the identity pass (identity-pass.ts).
 */
import { legHull } from '../body/legs.js';
import type { PersonParsing } from '../body/parsing.js';
import type { GarmentCategory } from '../garment/classify.js';
import { distanceToSet } from '../raster/distance.js';
import { drawCapsule, type P } from '../raster/draw.js';
import { and, andNot, type BinaryMask, emptyMask, invert, or } from '../raster/mask.js';
import { dilate } from '../raster/morphology.js';
import type { Box } from '../vision/types.js';

/**
 * The region is grown by this share of the shoulder width: a diffusion model draws the new garment with its own cut
 * (looser, longer, wider sleeves), which may stand off the old garment and the body by a little.
 */
export const REGION_MARGIN_SW = 0.12;
/** Width of the seam, inside the region, over which the engine's pixels fade into the person's (shoulder widths). */
export const SEAM_SW = 0.04;
/** A hand starts this share of the forearm's length past the wrist (the cuff of a long sleeve stays editable). */
const HAND_START = 0.15;
/** …and reaches this share past it (as the parsing's hand capsule does). */
const HAND_END = 0.4;
const HAND_RADIUS_SW = 0.17;
/** A lower garment's region starts this far above the hips (waistbands sit above the hip joints). */
const LOWER_ABOVE_HIPS_SW = 0.3;
/** A skirt may flare past the legs by this much at the bottom of the frame. */
const LOWER_FLARE_SW = 0.35;
/** The face's box is kept with this margin (hair and ears beside it, the chin's shadow). */
const FACE_MARGIN_SW = 0.1;
/** Trousers reach this far below the ankle joints; the shoes below are kept. */
const BELOW_ANKLES_SW = 0.1;

function hands(parsing: PersonParsing): BinaryMask {
  const { frame: f, width: w, height: h } = parsing;
  const out = emptyMask(w, h);
  const sw = f.shoulderWidth;
  for (const [e, wr] of [
    [f.lElbow, f.lWrist],
    [f.rElbow, f.rWrist],
  ] as Array<[P | null, P | null]>) {
    if (!e || !wr) continue;
    const at = (k: number): P => ({ x: wr.x + (wr.x - e.x) * k, y: wr.y + (wr.y - e.y) * k });
    drawCapsule(out, at(HAND_START), at(HAND_END), sw * HAND_RADIUS_SW);
  }
  // The person's hands only (not the background around them), grown by 2 px so their anti-aliased edge comes along.
  return dilate(and(out, parsing.person), 2);
}

/** Below the ankles (when seen): shoes and feet, which trousers and skirts do not replace. */
function feet(parsing: PersonParsing): BinaryMask {
  const { frame: f, width: w, height: h } = parsing;
  const out = emptyMask(w, h);
  const ankles = [f.lAnkle, f.rAnkle].filter((a): a is P => a !== null);
  if (ankles.length === 0) return out;
  const y0 = Math.max(0, Math.ceil(Math.max(...ankles.map((a) => a.y)) + f.shoulderWidth * BELOW_ANKLES_SW));
  if (y0 < h) out.data.fill(1, y0 * w);
  return out;
}

function upperRegion(p: PersonParsing): BinaryMask {
  return or(or(or(p.upperClothes, p.upperBody), p.torso), or(p.armLeft, p.armRight));
}

function lowerRegion(p: PersonParsing): BinaryMask {
  const f = p.frame;
  const sw = f.shoulderWidth;
  const hipY = (f.lHip.y + f.rHip.y) / 2;
  return or(p.lowerClothes, legHull(p, hipY - sw * LOWER_ABOVE_HIPS_SW, p.height - 1, sw * LOWER_FLARE_SW));
}

/** The face's box (the detector's `[x, y, width, height]`) grown by a margin: face, ears and the hair beside them. */
function faceZone(parsing: PersonParsing, face: Box | null): BinaryMask {
  const { width: w, height: h } = parsing;
  const out = emptyMask(w, h);
  if (!face) return out;
  const m = parsing.frame.shoulderWidth * FACE_MARGIN_SW;
  const [x0, y0] = [Math.max(0, Math.floor(face[0] - m)), Math.max(0, Math.floor(face[1] - m))];
  const [x1, y1] = [
    Math.min(w - 1, Math.ceil(face[0] + face[2] + m)),
    Math.min(h - 1, Math.ceil(face[1] + face[3] + m)),
  ];
  for (let y = y0; y <= y1; y++) out.data.fill(1, y * w + x0, y * w + x1 + 1);
  return out;
}

/**
 * The editable region for a garment of `category` (a dress: both the upper and the lower region), grown by the
 * margin, with the head (and the face's box: `face`, the detector's), the neck, the hands and the feet taken out:
 * those are the person's whatever the garment.
 */
export function editableRegion(parsing: PersonParsing, category: GarmentCategory, face: Box | null): BinaryMask {
  const base =
    category === 'upper'
      ? upperRegion(parsing)
      : category === 'lower'
        ? lowerRegion(parsing)
        : or(upperRegion(parsing), lowerRegion(parsing));
  const grown = dilate(base, Math.max(1, Math.round(parsing.frame.shoulderWidth * REGION_MARGIN_SW)));
  const keep = or(or(or(parsing.head, faceZone(parsing, face)), parsing.neck), or(hands(parsing), feet(parsing)));
  return andNot(grown, keep);
}

/**
 * The blend weight of the engine's pixels (0..255): 0 outside the region (the person's pixels exactly), rising over
 * `seamPx` pixels inside it to 255, so the seam between the engine's picture and the person's is feathered and no
 * pixel outside the region is touched.
 */
export function seamAlpha(region: BinaryMask, seamPx: number): Uint8Array {
  const dist2 = distanceToSet(invert(region));
  const out = new Uint8Array(region.data.length);
  const span = Math.max(1, seamPx) + 1;
  for (let p = 0; p < out.length; p++) {
    if (!region.data[p]) continue;
    out[p] = Math.min(255, Math.round((Math.sqrt(dist2[p]!) / span) * 255));
  }
  return out;
}
