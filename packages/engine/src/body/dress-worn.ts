/**
 * A dress worn, for a bottom (UNSUPPORTED_OUTFIT). Trousers or a skirt replace the old lower garment from the
 * waistband down; on a person in a dress there is none: the dress's skirt hangs from the bust, and the new bottom is
 * drawn over it with the dress's bodice above the waistband and its skirt showing round the legs. No fill can take
 * the skirt off (the legs under it were never photographed), so the try-on is refused.
 *
 * A dress reads, from the front, as one fabric from the chest down past the hips: the median colour of a band across
 * the thighs is within DRESS_MAX_DE of the chest's, and the waist between them shows no bare midriff (see
 * MIDRIFF_MAX_SKIN). A top worn with bottoms of another colour, or a crop top over
 * same-coloured trousers, is not a dress. It can mistake a top tucked into trousers of the same colour (a black
 * jumpsuit is one, rightly) for a dress; it misses a dress whose skirt is a different colour from its bodice.
 */
import type { CheckFinding } from '../engine.js';
import { deltaE2000, median, rgbToLab } from '../raster/colour.js';
import type { BinaryMask } from '../raster/mask.js';
import type { RawImage } from '../vision/types.js';
import type { PersonParsing } from './parsing.js';

/**
 * The chest and thigh bands' median colours within this ΔE2000: one fabric. On the development sets the seven
 * dresses measure 0.9–2.8 (sequins and prints included); the closest top-and-bottom outfits 4.3 (a sheer black top
 * over a bare midriff, skirt in leopard) and 4.9 (a black crop top with black trousers), then 9.5.
 */
export const DRESS_MAX_DE = 4;
/**
 * At most this much more of the waist band than of the chest band is skin: a bare midriff parts a top from what is
 * below. Measured against the chest because a skin-coloured dress passes the skin test (one does, at 0.09 more).
 */
export const MIDRIFF_MAX_SKIN = 0.2;
/** The chest band: this far below the shoulder line, as a share of the way to the hips … */
const CHEST_BAND = [0.25, 0.5] as const;
/** … the waist band, from this share of the way down to the hips … */
const WAIST_BAND = [0.75, 1] as const;
/** … and the thigh band below the hips (shoulder widths). */
const THIGH_BAND_SW = [0.25, 0.6] as const;
/** Each band's columns: the hips' span, narrowed by this share each side (clear of the arms hanging beside it). */
const INSET = 0.15;

export interface DressMeasures {
  /** ΔE2000 between the chest's and the thighs' median colours; null when a band holds too few pixels. */
  de: number | null;
  /** Share of the waist band that is skin, less the chest band's share. */
  midriffSkin: number;
}

/** The band's pixels of the person that are not skin, nor arms: their median Lab, or null if fewer than 50. */
function bandLab(img: RawImage, parsing: PersonParsing, y0: number, y1: number, x0: number, x1: number) {
  const arms = [parsing.armLeft, parsing.armRight, parsing.forearmLeft, parsing.forearmRight];
  const L: number[] = [];
  const A: number[] = [];
  const B: number[] = [];
  forBand(parsing.person, y0, y1, x0, x1, (p) => {
    if (parsing.skin.data[p] || arms.some((m) => m.data[p])) return;
    const ch = img.channels;
    const [l, a, b] = rgbToLab(img.data[p * ch]!, img.data[p * ch + 1]!, img.data[p * ch + 2]!);
    L.push(l);
    A.push(a);
    B.push(b);
  });
  return L.length < 50 ? null : ([median(L), median(A), median(B)] as [number, number, number]);
}

/** Calls `fn` for every pixel of the person in rows y0..y1, columns x0..x1 (every 2nd pixel: a median needs no more). */
function forBand(person: BinaryMask, y0: number, y1: number, x0: number, x1: number, fn: (p: number) => void) {
  const { width: w, height: h } = person;
  for (let y = Math.max(0, Math.round(y0)); y <= Math.min(h - 1, Math.round(y1)); y += 2) {
    for (let x = Math.max(0, Math.round(x0)); x <= Math.min(w - 1, Math.round(x1)); x += 2) {
      if (person.data[y * w + x]) fn(y * w + x);
    }
  }
}

export function dressMeasures(img: RawImage, parsing: PersonParsing): DressMeasures {
  const f = parsing.frame;
  const sw = f.shoulderWidth;
  const shoulderY = (f.lShoulder.y + f.rShoulder.y) / 2;
  const hipY = (f.lHip.y + f.rHip.y) / 2;
  const torso = hipY - shoulderY;
  const [hx0, hx1] = [Math.min(f.lHip.x, f.rHip.x), Math.max(f.lHip.x, f.rHip.x)];
  const x0 = hx0 + (hx1 - hx0) * INSET;
  const x1 = hx1 - (hx1 - hx0) * INSET;
  const at = (share: number) => shoulderY + torso * share;
  const chest = bandLab(img, parsing, at(CHEST_BAND[0]), at(CHEST_BAND[1]), x0, x1);
  const thighs = bandLab(img, parsing, hipY + sw * THIGH_BAND_SW[0], hipY + sw * THIGH_BAND_SW[1], x0, x1);
  const skinShare = (y0: number, y1: number) => {
    let n = 0;
    let skin = 0;
    forBand(parsing.person, y0, y1, x0, x1, (p) => {
      n++;
      skin += parsing.skin.data[p]!;
    });
    return n ? skin / n : 0;
  };
  // Skin at the waist beyond what the chest shows: a skin-coloured fabric passes the skin test on both.
  const midriffSkin = skinShare(at(WAIST_BAND[0]), at(WAIST_BAND[1])) - skinShare(at(CHEST_BAND[0]), at(CHEST_BAND[1]));
  return { de: chest && thighs ? deltaE2000(chest, thighs) : null, midriffSkin };
}

/** For a bottom: refuse when the person wears a dress (see above). Needs the hips seen and the thighs in the photo. */
export function dressWornFindings(img: RawImage, parsing: PersonParsing): CheckFinding[] {
  if (!parsing.frame.hipsSeen) return [];
  const m = dressMeasures(img, parsing);
  if (m.de === null || m.de > DRESS_MAX_DE || m.midriffSkin > MIDRIFF_MAX_SKIN) return [];
  return [
    {
      code: 'UNSUPPORTED_OUTFIT',
      severity: 'refuse',
      message: 'The person appears to be wearing a dress; trousers or a skirt cannot be tried on over it.',
      measured: { chestThighDeltaE: m.de, midriffSkin: m.midriffSkin },
    },
  ];
}
