/**
 * Interim human parsing built from keypoints + the selfie person mask + the face outline + colour statistics (no
 * parsing model exists on npm; design/engine.md step 1). Regions, all binary masks at image size:
 * - head: face oval and everything of the person above the neck base (hair, ears); never touched.
 * - neck: skin below the chin down to the shoulder line, central band; in front of any collar (an old top's
 *   contrasting collar, whose stripes can pass the skin test, is taken out of it: collarBand).
 * - arms: capsules along shoulder → elbow → wrist (+ hand), refined to the person mask.
 * - torso: the quadrilateral from the shoulder joints to the hips (pushed out to the silhouette), minus bare
 *   forearms, arms hanging against the body, neck and head; the deltoids and upper arms are arm, as in DensePose's
 *   part labels.
 * - upperBody: the same out to the silhouette at the shoulders: where a top's body panel can lie.
 * - upperClothes / lowerClothes: the current garments, grown by colour similarity from seeds inside the person.
 * - skin: pixels matching a skin-colour model sampled from the face, except in areas of print (prints.ts).
 * - held: what the person holds beside the body, between the shoulders and the hips (held.ts).
 *
 * The stages, in order, each in its own file of body/: silhouette → skin → head-neck → arms → torso → clothes (with
 * collar) → the arms taken out of the torso (here). Proportions are in shoulder widths (body/proportions.ts).
 */
import { labPlanes } from '../raster/colour.js';
import { and, andNot, type BinaryMask, emptyMask, maskBounds, or, shareOf } from '../raster/mask.js';
import type { PersonDetection, RawImage } from '../vision/types.js';
import { armCapsules, armsBesideTorso, handCapsules } from './arms.js';
import { oldBottom, oldTop } from './clothes.js';
import type { BodyFrame } from './frame.js';
import { headRegion, neckBand } from './head-neck.js';
import { heldObjects } from './held.js';
import { printedAreas } from './prints.js';
import { refineSilhouette } from './silhouette.js';
import { skinFromFace } from './skin.js';
import { torsoRegions } from './torso.js';

export interface PersonParsing {
  width: number;
  height: number;
  frame: BodyFrame;
  person: BinaryMask;
  head: BinaryMask;
  neck: BinaryMask;
  armLeft: BinaryMask;
  armRight: BinaryMask;
  /** Forearm + hand capsules only (the parts that may come in front of the torso). */
  forearmLeft: BinaryMask;
  forearmRight: BinaryMask;
  /** The body's torso: shoulder joints to hips, arms excluded (see parsePerson). */
  torso: BinaryMask;
  /**
   * Where a top's body panel can lie: the shoulder–hip quadrilateral out to the silhouette at the shoulders, so the
   * shoulder caps and whatever of the upper arms lies against the body; bare forearms, neck and head excluded.
   */
  upperBody: BinaryMask;
  skin: BinaryMask;
  upperClothes: BinaryMask;
  lowerClothes: BinaryMask;
  /** What the person holds beside the body (held.ts): in front of any garment. */
  held: BinaryMask;
  /** Skin colour (mean RGB of the face skin sample). */
  skinColor: [number, number, number];
}

/**
 * Builds the parsing. Throws nothing; callers check `frame` preconditions (shoulders seen) before calling.
 */
export interface ParseOptions {
  /**
   * Whether to find the current lower garment (default true). A top replaces only the upper garment, so the composite
   * skips this region growing (~60 ms) for tops; `lowerClothes` is then empty.
   */
  lower?: boolean;
}

/** Less than this share of the torso in the old top: none was found there … */
const NO_TOP_TORSO_SHARE = 0.1;
/**
 * … and at least this share in the old bottom: one garment from the bust down. On the 34 development persons, 1.0 on
 * the one dress read so, 0–0.27 on every other.
 */
const ONE_PIECE_TORSO_SHARE = 0.5;

/** `m` cut at row `y`: its rows above, and the rest. */
function splitAtRow(m: BinaryMask, y: number): { above: BinaryMask; below: BinaryMask } {
  const cut = Math.max(0, Math.min(m.height, y)) * m.width;
  const above = emptyMask(m.width, m.height);
  const below = emptyMask(m.width, m.height);
  above.data.set(m.data.subarray(0, cut));
  below.data.set(m.data.subarray(cut), cut);
  return { above, below };
}

export function parsePerson(
  img: RawImage,
  det: PersonDetection,
  frame: BodyFrame,
  options: ParseOptions = {},
): PersonParsing {
  const { width: w, height: h } = img;
  const person = det.mask ? refineSilhouette(img, det.mask) : emptyMask(w, h);
  const sw = frame.shoulderWidth;
  // Lab once per pixel (only inside the person: nothing outside it is classified).
  const lab = labPlanes(img, person);
  // Person pixels only, so only the person's bounding box is scanned (the skin test, the seed counts).
  const personBox = maskBounds(person) ?? ([0, 0, -1, -1] as const);
  const skinColoured = skinFromFace(img, det.face, person, personBox, lab);
  // A skin-coloured print is not skin (prints.ts).
  const skin = andNot(skinColoured.skin, printedAreas(img, person, personBox, handCapsules(frame, w, h)));
  const { skinColor } = skinColoured;
  const { head, chinY } = headRegion(det.face, person, frame);
  let neck = neckBand(skin, person, frame, chinY);
  const L = armCapsules(person, frame.lShoulder, frame.lElbow, frame.lWrist, sw);
  const R = armCapsules(person, frame.rShoulder, frame.rElbow, frame.rWrist, sw);
  const regions = torsoRegions(person, head, neck, frame);
  // Where the old garments can be: the person but the head and the neck (as found before the collar leaves it).
  const allowed = andNot(andNot(person, head), neck);
  const top = oldTop(img, lab, person, personBox, skin, head, allowed, frame);
  if (top.collar) neck = andNot(neck, top.collar);
  const findBottom = (above: BinaryMask) => oldBottom(lab, person, personBox, skin, above, allowed, frame);
  let upperClothes = top.clothes;
  let lowerClothes = options.lower !== false ? findBottom(upperClothes) : emptyMask(w, h);
  if (shareOf(upperClothes, regions.torso) < NO_TOP_TORSO_SHARE) {
    // No old top on the torso: a dress or a jumpsuit whose fabric the top's growth missed (a beige check that passed
    // the skin test) and that the bottom's growth, from the thighs, took up to the bust. Its part above the hips is
    // the old top; left as a bottom, a new top was drawn over it with the dress showing beside it.
    const worn = options.lower !== false ? lowerClothes : findBottom(upperClothes);
    if (shareOf(worn, regions.torso) >= ONE_PIECE_TORSO_SHARE) {
      const split = splitAtRow(worn, Math.round((frame.lHip.y + frame.rHip.y) / 2));
      upperClothes = split.above;
      if (options.lower !== false) lowerClothes = split.below;
    }
  }

  // Arms exclude clothing only where the clothing is a sleeve; keep the raw capsules (the composite decides what is
  // in front) but drop the torso's overlap from the torso mask.
  const bareForearms = or(andNot(L.fore, upperClothes), andNot(R.fore, upperClothes));
  const torso = andNot(andNot(regions.torso, bareForearms), armsBesideTorso(person, L.arm, R.arm, frame));
  const upperBody = andNot(regions.upperBody, bareForearms);
  const held = heldObjects(person, [regions.upperBody, regions.torso, L.arm, R.arm, L.fore, R.fore, head, neck], frame);

  return {
    width: w,
    height: h,
    frame,
    person,
    head: and(head, person),
    neck,
    armLeft: L.arm,
    armRight: R.arm,
    forearmLeft: L.fore,
    forearmRight: R.fore,
    torso,
    upperBody,
    skin,
    upperClothes,
    lowerClothes,
    held,
    skinColor,
  };
}
