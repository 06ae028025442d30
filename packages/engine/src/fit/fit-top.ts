/**
 * The fit of tops and dresses, in stages: the body's shoulder corners → the garment placed on them (a similarity
 * from the garment's shoulder frame) → the hem (hem.ts) → the armpits → the torso panel's thin-plate spline → one
 * map per sleeve along its arm (sleeves.ts).
 *
 * Decisions from the prototype's failures (design/engine.md):
 * - MoveNet's shoulder points sit 10–15 % of the shoulder width inside the silhouette: the garment's shoulder corners
 *   go to the silhouette edge, found by walking outward along the shoulder line.
 * - Length and width come from the body: a top's hem lands at the hips and a dress's at the knees, each scaled by
 *   how long the garment is relative to a typical one of its kind; hem width is ~1.0–1.15 × the hip width.
 * - The torso panel is warped by a thin-plate spline on ~11 landmarks; each sleeve has its own map that follows its
 *   arm (shoulder → elbow → wrist), blended into the torso map near the armhole so the seam does not tear.
 */
import type { PersonParsing } from '../body/parsing.js';
import { SHOULDER_PUSH_MAX_SW } from '../body/proportions.js';
import { edgeAlong } from '../body/silhouette.js';
import type { GarmentAnalysis } from '../garment/analyze.js';
import type { GarmentLandmarks, Point } from '../garment/landmarks.js';
import type { P } from '../raster/draw.js';
import type { BinaryMask } from '../raster/mask.js';
import { type HemLine, hemLine, hemRow, type ShoulderPlacement } from './hem.js';
import { armJoints, sleeveMap } from './sleeves.js';
import { type BodyTargets, type GarmentFit, lerp, mid } from './targets.js';
import { fitTps, type Tps } from './tps.js';

/** The shoulder seam sits just inside the silhouette's edge at shoulder height (the deltoid): 85 % of the way out. */
const SEAM_OUT = 0.85;
/** …and on top of the shoulder, this far (shoulder widths) above the joint. */
const SEAM_LIFT_SW = 0.06;
/** A sleeveless garment's strap tops sit this far out from the neck towards the shoulder corners (a vest's ~80 %). */
const STRAP_OUT = 0.82;
/** Armpits sit no lower than this share of the way from the shoulders to the hem. */
const ARMPIT_MAX_DEPTH = 0.45;
/** The chest is at least half the hem's width; a sleeved top's chest sits 2 % inside (the sleeves' seams). */
const SLEEVED_CHEST = 0.98;
/** The chest is no wider than the body's shoulders and 2 %… */
const CHEST_MAX_OF_SHOULDERS = 1.02;
/**
 * …nor than the torso at the armpits (arms excluded) with this much ease, unless the hips are wider. The shoulder
 * corners sit out on the deltoids, 1.09–1.28 shoulder widths apart on the 34 development photos, while the torso
 * between the arms is 0.69–0.92 there on all but three (1.0–1.23: a bulky suit, a plus-size body): a chest as wide as
 * the shoulders laid the body panel over both upper arms, with the sleeves left as slivers outside them.
 */
const CHEST_EASE_OVER_TORSO = 1.08;
/** The torso's thin-plate spline is nearly interpolating: a little smoothing keeps it from folding. */
const TORSO_TPS_SMOOTHING = 0.002;

/**
 * The body's shoulder corners: the keypoints pushed out along the shoulder line to the silhouette edge (at most 35 %
 * of the shoulder width), and lifted to the top of the shoulder where the seam lies.
 */
function shoulderCorners(parsing: PersonParsing): { shL: P; shR: P } {
  const f = parsing.frame;
  const sw = f.shoulderWidth;
  const dir = { x: f.rShoulder.x - f.lShoulder.x, y: f.rShoulder.y - f.lShoulder.y };
  const outL = edgeAlong(parsing.person, f.lShoulder, -dir.x, -dir.y, sw * SHOULDER_PUSH_MAX_SW);
  const outR = edgeAlong(parsing.person, f.rShoulder, dir.x, dir.y, sw * SHOULDER_PUSH_MAX_SW);
  const ux = dir.x / sw;
  const uy = dir.y / sw;
  return {
    shL: { x: f.lShoulder.x - ux * outL * SEAM_OUT, y: f.lShoulder.y - uy * outL * SEAM_OUT - sw * SEAM_LIFT_SW },
    shR: { x: f.rShoulder.x + ux * outR * SEAM_OUT, y: f.rShoulder.y + uy * outR * SEAM_OUT - sw * SEAM_LIFT_SW },
  };
}

interface Placement extends ShoulderPlacement {
  /** Where the garment's shoulder corners land. */
  tShL: P;
  tShR: P;
  scale: number;
  /** Similarity from the garment's shoulder frame to the body's: for points that keep the garment's proportions. */
  sim(p: Point): P;
}

/**
 * The garment on the body's shoulders. Sleeveless garments' "shoulders" are strap tops, narrower than the body's
 * shoulders: they map to points inside the shoulders, in proportion.
 */
export function placeOnShoulders(g: GarmentAnalysis, shL: P, shR: P): Placement {
  const lm = g.landmarks;
  const bodyShoulderW = Math.hypot(shR.x - shL.x, shR.y - shL.y);
  const gShL = lm.shoulderLeft;
  const gShR = lm.shoulderRight;
  const garmentShoulderW = Math.max(1, Math.hypot(gShR.x - gShL.x, gShR.y - gShL.y));
  const strapFactor = g.cls.sleeve === 'none' ? STRAP_OUT : 1;
  const bodyMid = mid(shL, shR);
  const tShL = lerp(bodyMid, shL, strapFactor);
  const tShR = lerp(bodyMid, shR, strapFactor);
  const scale = (bodyShoulderW * strapFactor) / garmentShoulderW;
  const gMid = mid(gShL, gShR);
  const gAng = Math.atan2(gShR.y - gShL.y, gShR.x - gShL.x);
  const bAng = Math.atan2(tShR.y - tShL.y, tShR.x - tShL.x);
  const rot = bAng - gAng;
  const cos = Math.cos(rot) * scale;
  const sin = Math.sin(rot) * scale;
  const tMid = mid(tShL, tShR);
  const sim = (p: Point): P => {
    const dx = p.x - gMid.x;
    const dy = p.y - gMid.y;
    return { x: tMid.x + dx * cos - dy * sin, y: tMid.y + dx * sin + dy * cos };
  };
  return { gMid, tMid, garmentShoulderW: garmentShoulderW / strapFactor, bAng, tShL, tShR, scale, sim };
}

/**
 * Armpits: the garment's armhole depth in proportion, but never below 45 % of the way to the hem; horizontally
 * between the shoulder corner and the hem side (tops are near-straight from armpit to hem).
 */
function armpits(
  g: GarmentAnalysis,
  parsing: PersonParsing,
  place: Placement,
  hemY: number,
  hem: HemLine,
  gChest: number,
  bodyShoulderW: number,
): { armpitLeft: P; armpitRight: P } {
  const lm = g.landmarks;
  const { gMid, tMid, tShL, tShR, scale } = place;
  const apDepth = (p: Point) => Math.min((p.y - gMid.y) * scale, (hemY - tMid.y) * ARMPIT_MAX_DEPTH);
  const apLy = tShL.y + apDepth(lm.armpitLeft);
  const apRy = tShR.y + apDepth(lm.armpitRight);
  const chestHalf = Math.max(hem.bodyHemW * 0.5, (gChest * scale) / 2) * (g.cls.sleeve === 'none' ? 1 : SLEEVED_CHEST);
  const torsoW = rowWidth(parsing.torso, Math.round((apLy + apRy) / 2));
  const bodyHalf =
    torsoW > 0 ? Math.max(torsoW * CHEST_EASE_OVER_TORSO, Math.min(hem.bodyHemW, hem.hipW)) / 2 : Infinity;
  const chestHalfCapped = Math.min(chestHalf, (bodyShoulderW / 2) * CHEST_MAX_OF_SHOULDERS, bodyHalf);
  return {
    armpitLeft: { x: tMid.x - chestHalfCapped, y: apLy },
    armpitRight: { x: tMid.x + chestHalfCapped, y: apRy },
  };
}

/** The width of a mask's row `y`: from its first set pixel to its last (0 when the row is empty or off the mask). */
function rowWidth(m: BinaryMask, y: number): number {
  if (y < 0 || y >= m.height) return 0;
  const row = m.data.subarray(y * m.width, (y + 1) * m.width);
  const first = row.indexOf(1);
  return first < 0 ? 0 : row.lastIndexOf(1) - first + 1;
}

/** The torso's outline points, on the garment or on the body: the same eight landmarks on either side. */
type TorsoOutline = Pick<
  BodyTargets,
  'neck' | 'shoulderLeft' | 'shoulderRight' | 'armpitLeft' | 'armpitRight' | 'hemLeft' | 'hemRight' | 'hemCenter'
>;

/** Landmarks plus side midpoints (keep the sides straight) and the chest centre (keeps prints flat). */
const torsoControlPoints = (o: TorsoOutline): P[] => [
  o.neck,
  o.shoulderLeft,
  o.shoulderRight,
  o.armpitLeft,
  o.armpitRight,
  o.hemLeft,
  o.hemRight,
  o.hemCenter,
  mid(o.armpitLeft, o.hemLeft),
  mid(o.armpitRight, o.hemRight),
  mid(mid(o.armpitLeft, o.armpitRight), o.hemCenter),
];

/** Torso TPS: the garment's control points onto the body's. */
function torsoTps(lm: GarmentLandmarks, t: BodyTargets): Tps {
  const src = torsoControlPoints(lm);
  const dst = torsoControlPoints(t);
  return fitTps(src, dst, TORSO_TPS_SMOOTHING);
}

export function fitTop(g: GarmentAnalysis, parsing: PersonParsing): GarmentFit {
  const f = parsing.frame;
  const lm = g.landmarks;
  const { shL, shR } = shoulderCorners(parsing);
  const bodyShoulderW = Math.hypot(shR.x - shL.x, shR.y - shL.y);
  const place = placeOnShoulders(g, shL, shR);
  const gChest = Math.max(1, lm.armpitRight.x - lm.armpitLeft.x);
  const hemY = hemRow(g, parsing, place, gChest);
  const hem = hemLine(g, parsing, hemY, gChest, place.bAng);
  const { armpitLeft, armpitRight } = armpits(g, parsing, place, hemY, hem, gChest, bodyShoulderW);
  const targets: BodyTargets = {
    neck: place.sim(lm.neck),
    shoulderLeft: place.tShL,
    shoulderRight: place.tShR,
    armpitLeft,
    armpitRight,
    hemLeft: hem.hemLeft,
    hemRight: hem.hemRight,
    hemCenter: hem.hemCenter,
    scale: place.scale,
  };
  const tps = torsoTps(lm, targets);
  const pixels = (part: number) => ({ parts: lm.parts, width: g.image.width, part });
  const left = sleeveMap(lm.sleeveLeft, lm.armpitLeft, armJoints(f, -1), parsing, place.scale, tps, pixels(2));
  const right = sleeveMap(lm.sleeveRight, lm.armpitRight, armJoints(f, 1), parsing, place.scale, tps, pixels(3));
  return {
    targets,
    mapPart(part: number, x: number, y: number): P {
      if (part === 2 && left) return left(x, y);
      if (part === 3 && right) return right(x, y);
      return tps.map(x, y);
    },
  };
}
