/** The old garment region the new garment replaces. */
import type { PersonParsing } from '../body/parsing.js';
import type { BodyTargets } from '../fit/targets.js';
import type { GarmentLayer } from '../fit/warp.js';
import type { GarmentAnalysis } from '../garment/analyze.js';
import { components } from '../raster/components.js';
import { andNot, type BinaryMask, emptyMask, or } from '../raster/mask.js';
import { dilate, open as openMask } from '../raster/morphology.js';

/** Coverage above which a pixel counts as the new garment's when its hem is traced. */
const HEM_ALPHA = 0.5;
/** The garment layer's part code of the body panel (fit/warp.ts: 1 torso, 2 and 3 sleeves). */
const BODY_PANEL = 1;
/** The old garment is replaced this far below the new one's hem (shoulder widths): the hem's shadow and soft edge. */
const BELOW_HEM_SW = 0.03;

/**
 * The old garment the new one replaces: the current upper garment; for a dress, with the lower one above the dress's
 * hem; for a bottom, the lower one from the waistband down. For a top or a dress, only what lies above the new
 * garment's hem: a dress's skirt or jeans below a new top stay as they are (see keepBelowHem).
 */
export function oldGarmentRegion(
  parsing: PersonParsing,
  garment: GarmentAnalysis,
  targets: BodyTargets,
  layer: GarmentLayer,
  alpha: Float32Array,
): BinaryMask {
  const { width: w, height: h } = parsing;
  const n = w * h;
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
    return old;
  }
  const kept = keepSleevesAndForearms(keepBelowHem(old, parsing, targets, layer, alpha), parsing);
  return keepLargeOpenings(kept, parsing, alpha);
}

/**
 * An old garment covering at least this share of the forearm is a long sleeve (see keepSleevesAndForearms) …
 * On the development sets long sleeves cover 0.5–0.87 of the forearm's capsule and leave 0.13–0.26 of it skin; bare
 * forearms show 0.33–0.99 skin, except one hidden behind the hip (0.11). Missed: a sheer mesh sleeve (0.36 skin).
 */
const LONG_SLEEVE_FOREARM_SHARE = 0.45;
/** … and leaves at most this share of it skin (the parsing's old top often runs over a bare arm beside it). */
const LONG_SLEEVE_MAX_SKIN = 0.3;

/**
 * The old bottom's cloth: never a sleeve or an arm. A skirt beside a hanging arm lies inside its capsule (the capsules
 * are as wide as an arm can be) and is replaced by a dress like the rest of the skirt (here, old-sleeves.ts, sides.ts);
 * kept as arm, it showed as a strip of its print between the dress and the arm (01008_00's leopard skirt). Its skin
 * stays the arm's. Empty for a top, whose parsing finds no old bottom.
 */
export const oldBottomCloth = (parsing: PersonParsing): BinaryMask => andNot(parsing.lowerClothes, parsing.skin);

/**
 * Old long sleeves, whatever old garment lies on a forearm, and bare upper arms the parsing took for old garment
 * (bareUpperArms), taken out of the region to replace. Under a long sleeve the photo shows no bare arm to continue
 * (arm-fill.ts continues an arm from below a short sleeve's hem), so a whole arm would be invented: a flat skin-coloured
 * strip from shoulder to wrist. Kept, the old sleeve reads as a long-sleeved top worn under the new garment, which is
 * what a shopper would see in a mirror. The old bottom (a skirt beside an arm) is never kept so.
 */
function keepSleevesAndForearms(old: BinaryMask, parsing: PersonParsing): BinaryMask {
  let out = old;
  const skirt = oldBottomCloth(parsing);
  for (const [arm, forearm] of [
    [parsing.armLeft, parsing.forearmLeft],
    [parsing.armRight, parsing.forearmRight],
  ] as const) {
    // The forearm itself is never repainted: under a long sleeve there is no arm to continue, and an old top that the
    // parsing grew over a bare forearm (a white top beside pale skin) would be filled with a flat skin-coloured block
    // where the arm was photographed.
    out = andNot(out, andNot(longSleeved(forearm, old, parsing) ? or(arm, forearm) : forearm, skirt));
  }
  return andNot(out, bareUpperArms(old, parsing));
}

/** Opening radius that drops the skin test's speckle on a sleeve (shading that passes it) from bareUpperArms. */
const BARE_ARM_OPEN_R = 2;

/**
 * The upper arms' skin that the parsing took for old garment: off the torso and the neck, old garment and skin. The
 * old top's growth runs on over a bare upper arm beside a tank top or a sleeveless dress (a white top beside pale
 * skin; on 9 of the 34 development persons at least 0.6 of the old top on an upper arm passes the skin test, every one
 * a bare arm), and as an old sleeve it was repainted with the arm continued from below: a flat, boxy upper arm in
 * place of the photographed one. A coloured sleeve fails the skin test (0–0.08 of it passes on the sleeved
 * persons); a white one passes more (0.20–0.27 on 02849_00), and what passes is kept as photographed, its speckle
 * dropped by the opening.
 */
function bareUpperArms(old: BinaryMask, parsing: PersonParsing): BinaryMask {
  const { width: w, height: h } = parsing;
  const bare = emptyMask(w, h);
  for (let p = 0; p < w * h; p++) {
    if (!old.data[p] || !parsing.skin.data[p] || parsing.torso.data[p] || parsing.neck.data[p]) continue;
    if (parsing.armLeft.data[p] || parsing.armRight.data[p]) bare.data[p] = 1;
  }
  return openMask(bare, BARE_ARM_OPEN_R);
}

/**
 * Whether the old garment `old` covers the forearm capsule `forearm` as a long sleeve does. A bare forearm lying
 * against the old top is covered by its capsule's edges but shows its skin.
 */
export function longSleeved(forearm: BinaryMask, old: BinaryMask, parsing: PersonParsing): boolean {
  let n = 0;
  let covered = 0;
  let skin = 0;
  for (let p = 0; p < forearm.data.length; p++) {
    if (!forearm.data[p] || !parsing.person.data[p]) continue;
    n++;
    covered += old.data[p]!;
    skin += parsing.skin.data[p]!;
  }
  return n > 0 && covered >= n * LONG_SLEEVE_FOREARM_SHARE && skin <= n * LONG_SLEEVE_MAX_SKIN;
}

/**
 * The old garment below the new one's hem, taken out of the region to replace. The old top's parsing often runs on
 * into what is worn below (a dress's skirt, light jeans under a light top: grown by colour), and whatever of it the
 * new garment leaves showing would be invented by the fills — a flat skin-coloured block where the skirt was. Below
 * the hem the photo is the truth: the old garment's lower part stays, as it would under a shorter top.
 * The hem in each column is the new garment's body panel's lowest covered pixel (its sleeves do not count), and
 * where the panel does not reach the column, the hem line the fit aimed at. Arms keep the old treatment: an old sleeve under a
 * new short one is repainted as a bare arm by the residue fill (old-sleeves.ts), not kept as a band of old colour.
 */
function keepBelowHem(
  old: BinaryMask,
  parsing: PersonParsing,
  targets: BodyTargets,
  layer: GarmentLayer,
  alpha: Float32Array,
): BinaryMask {
  const { width: w, height: h } = parsing;
  const { hemLeft: a, hemRight: b } = targets;
  const margin = parsing.frame.shoulderWidth * BELOW_HEM_SW;
  const kept = emptyMask(w, h);
  const arms = [parsing.armLeft, parsing.armRight, parsing.forearmLeft, parsing.forearmRight];
  for (let x = 0; x < w; x++) {
    const t = b.x === a.x ? 0.5 : Math.min(1, Math.max(0, (x - a.x) / (b.x - a.x)));
    let hem = a.y + (b.y - a.y) * t;
    for (let y = h - 1; y >= 0; y--) {
      const p = y * w + x;
      if (alpha[p]! > HEM_ALPHA && layer.part[p] === BODY_PANEL) {
        hem = y;
        break;
      }
    }
    for (let y = Math.max(0, Math.ceil(hem + margin)); y < h; y++) {
      const p = y * w + x;
      if (old.data[p] && !arms.some((m) => m.data[p])) kept.data[p] = 1;
    }
  }
  return andNot(old, kept);
}

/**
 * An opening of the new garment over the old one is filled with skin only while it is small: at most this share of
 * the torso (a boat neck's or a scoop's edge over a crew-neck top, a slit beside a sleeve: filled, it reads right).
 */
const OPENING_FILL_MAX_TORSO = 0.06;

/**
 * A neck opening is skin even when large: it borders the neck and ends above this share of the way from the shoulder
 * line to the hips. Worn, a scoop or a crew neck shows the neck and the top of the chest, whatever was worn before:
 * kept, the old top read as a disc of its colour under the chin (a navy V, a black crew neck inside a white scoop).
 * Measured on the development sets: tees' and dresses' neck openings end at 0.11–0.15; a cardigan's V and the chest
 * beside a one-shoulder neckline, which stay kept, at 0.29–0.49.
 */
const NECK_OPENING_MAX_DEPTH = 0.2;
/** An opening borders the neck when it comes this close to it (px): the old collar's rim lies between them. */
const NECK_CONTACT_PX = 3;

/** The labels (1…count−1) of the openings in `labels` that are neck openings (see NECK_OPENING_MAX_DEPTH). */
function neckOpenings(labels: Int32Array, count: number, parsing: PersonParsing): number[] {
  const { width: w, frame: f } = parsing;
  const shoulderY = (f.lShoulder.y + f.rShoulder.y) / 2;
  const limitY = shoulderY + NECK_OPENING_MAX_DEPTH * ((f.lHip.y + f.rHip.y) / 2 - shoulderY);
  const nearNeck = dilate(parsing.neck, NECK_CONTACT_PX);
  const touches = new Uint8Array(count);
  const lowest = new Float64Array(count);
  for (let p = 0; p < labels.length; p++) {
    const l = labels[p]!;
    if (!l) continue;
    if (nearNeck.data[p]) touches[l] = 1;
    lowest[l] = Math.max(lowest[l]!, Math.floor(p / w));
  }
  const found: number[] = [];
  for (let l = 1; l < count; l++) if (touches[l] && lowest[l]! <= limitY) found.push(l);
  return found;
}

/**
 * Large openings keep the old garment. Under a cardigan's V or beside a one-shoulder neckline a whole bare chest
 * would be invented, and a membrane fill has the skin's colour but none of its shape: a flat panel (the result checks
 * refuse it). Kept, the old top reads as worn under the new garment, as a cardigan is worn. An opening is a connected
 * part of the old garment that the new one leaves uncovered (arms aside: an old sleeve has its own treatment). A neck
 * opening is filled whatever its size (NECK_OPENING_MAX_DEPTH).
 */
function keepLargeOpenings(old: BinaryMask, parsing: PersonParsing, alpha: Float32Array): BinaryMask {
  const { width: w, height: h } = parsing;
  const arms = [parsing.armLeft, parsing.armRight, parsing.forearmLeft, parsing.forearmRight];
  const open = emptyMask(w, h);
  let torso = 0;
  for (let p = 0; p < w * h; p++) {
    torso += parsing.torso.data[p]!;
    if (old.data[p] && alpha[p]! <= HEM_ALPHA && !arms.some((m) => m.data[p])) open.data[p] = 1;
  }
  const { labels, sizes } = components(open);
  const large = sizes.map((size) => (size > torso * OPENING_FILL_MAX_TORSO ? 1 : 0));
  // The neck's dilation and a pass over the frame, only when there is a large opening to let go.
  if (large.some((v) => v)) for (const l of neckOpenings(labels, sizes.length, parsing)) large[l] = 0;
  if (!large.some((v) => v)) return old;
  const keep = emptyMask(w, h);
  for (let p = 0; p < w * h; p++) keep.data[p] = large[labels[p]!] ?? 0;
  return andNot(old, keep);
}
