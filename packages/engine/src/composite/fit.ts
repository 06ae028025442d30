/**
 * The fit: garment landmarks → body targets, and the per-part forward maps (garment pixel → person pixel).
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
import { edgeAlong } from '../body/silhouette.js';
import type { GarmentAnalysis } from '../garment/analyze.js';
import type { Point, SleeveInfo } from '../garment/landmarks.js';
import type { P } from '../raster/draw.js';
import { fitBottom } from './fit-bottoms.js';
import { fitTps, type Tps } from './tps.js';

export interface BodyTargets {
  neck: P;
  shoulderLeft: P;
  shoulderRight: P;
  armpitLeft: P;
  armpitRight: P;
  hemLeft: P;
  hemRight: P;
  hemCenter: P;
  /** Garment scale (body shoulder width / garment shoulder width). */
  scale: number;
}

export interface GarmentFit {
  targets: BodyTargets;
  /** Forward map per part: 1 torso, 2 left sleeve, 3 right sleeve. */
  mapPart(part: number, x: number, y: number): P;
}

const mid = (a: P, b: P): P => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
const lerp = (a: P, b: P, t: number): P => ({ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t });

/** Typical garment length / shoulder width on a flat-lay: a hip-length top and a knee-length dress. */
const TYPICAL_TOP_RATIO = 1.45;
const TYPICAL_DRESS_RATIO = 2.9;

/** A top whose hem lies above this fraction of the shoulder → hip distance is cropped: it leaves the midriff bare. */
const CROPPED_BELOW = 0.8;
/** How far (in shoulder → hip distances) a top's hem is lowered at most to meet the old top's hem. */
const MAX_HEM_DROP = 0.3;

/**
 * The lowest row where the person's current top still covers half the body's middle (±0.2 shoulder widths around
 * the centre line); null without an old top.
 */
export function oldTopHemY(parsing: PersonParsing): number | null {
  const { frame: f, upperClothes, width: w, height: h } = parsing;
  const half = Math.round(f.shoulderWidth * 0.2);
  const cx = Math.round((f.lShoulder.x + f.rShoulder.x + f.lHip.x + f.rHip.x) / 4);
  const x0 = Math.max(0, cx - half);
  const x1 = Math.min(w - 1, cx + half);
  let hem: number | null = null;
  for (let y = Math.max(0, Math.round((f.lShoulder.y + f.rShoulder.y) / 2)); y < h; y++) {
    let n = 0;
    for (let x = x0; x <= x1; x++) n += upperClothes.data[y * w + x]!;
    if (n * 2 >= x1 - x0 + 1) hem = y;
  }
  return hem;
}

/**
 * A top that is not cropped meets the trousers or skirt it is worn with. Its length comes from proportions (the
 * flat-lay's, or where it ended on a model's body), so on a long-waisted person it can end a little above the old
 * top's hem, and the strip of old top between them would be painted as bare midriff: a flat band of skin (woman-1
 * in the tank and the shirt photographed on models). Such a hem is lowered to the old top's, when the drop is small;
 * a cropped top keeps its bare midriff, and a short top over a tunic is not stretched into one.
 */
function meetOldHem(parsing: PersonParsing, hemY: number): number {
  const f = parsing.frame;
  const shoulderY = (f.lShoulder.y + f.rShoulder.y) / 2;
  const torsoLen = Math.max(1, (f.lHip.y + f.rHip.y) / 2 - shoulderY);
  const oldHem = oldTopHemY(parsing);
  if (oldHem === null || (hemY - shoulderY) / torsoLen < CROPPED_BELOW) return hemY;
  // A couple of pixels past the old hem: the new hem's edge is feathered.
  const target = oldHem + Math.max(2, f.shoulderWidth * 0.02);
  return target > hemY && target - hemY <= torsoLen * MAX_HEM_DROP ? target : hemY;
}

export function fitGarment(g: GarmentAnalysis, parsing: PersonParsing): GarmentFit {
  const f = parsing.frame;
  const lm = g.landmarks;
  const sw = f.shoulderWidth;
  // Bottoms have their own landmarks (waistband, crotch, leg hems) and their own fit.
  if (g.cls.category === 'lower') return fitBottom(g, parsing);
  // Shoulder corners: the keypoints pushed out along the shoulder line to the silhouette edge (at most 35 % of the
  // shoulder width), and lifted to the top of the shoulder where the seam lies.
  const dir = { x: f.rShoulder.x - f.lShoulder.x, y: f.rShoulder.y - f.lShoulder.y };
  const outL = edgeAlong(parsing.person, f.lShoulder, -dir.x, -dir.y, sw * 0.35);
  const outR = edgeAlong(parsing.person, f.rShoulder, dir.x, dir.y, sw * 0.35);
  const ux = dir.x / sw;
  const uy = dir.y / sw;
  // Keep 85 % of the way out: the silhouette edge at shoulder height is the deltoid, the seam sits just inside it.
  const shL = { x: f.lShoulder.x - ux * outL * 0.85, y: f.lShoulder.y - uy * outL * 0.85 - sw * 0.06 };
  const shR = { x: f.rShoulder.x + ux * outR * 0.85, y: f.rShoulder.y + uy * outR * 0.85 - sw * 0.06 };
  const bodyShoulderW = Math.hypot(shR.x - shL.x, shR.y - shL.y);

  const gShL = lm.shoulderLeft;
  const gShR = lm.shoulderRight;
  const garmentShoulderW = Math.max(1, Math.hypot(gShR.x - gShL.x, gShR.y - gShL.y));
  // Sleeveless garments' "shoulders" are strap tops, narrower than the body's shoulders: they map to points inside
  // the shoulders, in proportion (a strap on a vest sits ~80 % out from the neck).
  const sleeveless = g.cls.sleeve === 'none';
  const strapFactor = sleeveless ? 0.82 : 1;
  const bodyMid = mid(shL, shR);
  const tShL = lerp(bodyMid, shL, strapFactor);
  const tShR = lerp(bodyMid, shR, strapFactor);
  const scale = (bodyShoulderW * strapFactor) / garmentShoulderW;

  // Similarity from the garment's shoulder frame to the body's: used for points that keep the garment's own
  // proportions (neckline depth, armhole depth).
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

  const neck = sim(lm.neck);
  // Length from the body: hips for tops, knees for dresses, scaled by this garment's length relative to a typical one.
  const hipMid = mid(f.lHip, f.rHip);
  const shoulderMidKp = mid(f.lShoulder, f.rShoulder);
  // Length relative to the garment's width: its shoulder width, or its chest for halter and strap garments whose
  // "shoulders" are two straps close to the neck (a halter mini dress measured by its straps reads as a maxi dress).
  const gChest = Math.max(1, lm.armpitRight.x - lm.armpitLeft.x);
  const gLen = (lm.hemCenter.y - gMid.y) / Math.max(garmentShoulderW, gChest * 0.95);
  let hemY: number;
  if (g.cls.category === 'dress') {
    const kneeY = f.lKnee && f.rKnee ? (f.lKnee.y + f.rKnee.y) / 2 : hipMid.y + (hipMid.y - shoulderMidKp.y) * 0.95;
    const bodyLen = kneeY - tMid.y;
    hemY = tMid.y + bodyLen * Math.min(1.5, Math.max(0.6, gLen / TYPICAL_DRESS_RATIO));
  } else {
    const bodyLen = hipMid.y + sw * 0.12 - tMid.y;
    hemY = tMid.y + bodyLen * Math.min(1.12, Math.max(0.6, gLen / TYPICAL_TOP_RATIO));
  }
  const m = g.source === 'on-model' ? g.model : undefined;
  if (m?.hipsSeen) {
    // Worn by a model: the hem sits where it sat on the model's body, as a fraction of the shoulder → hip distance
    // (both measured between keypoints). A posed garment's own length/width ratio says little: a dress photographed
    // on a turned body reads as a tunic by its proportions.
    const mShY = (m.lShoulder.y + m.rShoulder.y) / 2;
    const mHipY = (m.lHip.y + m.rHip.y) / 2;
    const t = (lm.hemCenter.y - mShY) / Math.max(1, mHipY - mShY);
    const [lo, hi] = g.cls.category === 'dress' ? [1.3, 3.6] : [0.6, 1.3];
    hemY = shoulderMidKp.y + (hipMid.y - shoulderMidKp.y) * Math.min(hi, Math.max(lo, t));
  }
  if (g.cls.category === 'upper') hemY = meetOldHem(parsing, hemY);
  hemY = Math.min(parsing.height + sw, hemY);

  // Hem width: hip width from the keypoints (hip joints sit ~20 % inside the silhouette on each side) × 1.0–1.15,
  // more for garments whose flat-lay hem is wider than their chest (A-line dresses) in proportion.
  const hipW = Math.hypot(f.rHip.x - f.lHip.x, f.rHip.y - f.lHip.y) * 1.55;
  const gHem = Math.max(1, lm.hemRight.x - lm.hemLeft.x);
  const flare = Math.min(1.6, Math.max(0.9, gHem / gChest));
  const bodyHemW =
    g.cls.category === 'dress'
      ? hipW * Math.max(1.02, flare * 0.95)
      : hipW * Math.min(1.15, Math.max(1.0, flare * 1.02));
  const hemDir = { x: Math.cos(bAng), y: Math.sin(bAng) };
  const hemMidX =
    hipMid.x + (hipMid.x - shoulderMidKp.x) * ((hemY - hipMid.y) / Math.max(1, hipMid.y - shoulderMidKp.y)) * 0.5;
  const hemCenter = { x: hemMidX, y: hemY };
  const hemLeft = { x: hemMidX - (hemDir.x * bodyHemW) / 2, y: hemY - (hemDir.y * bodyHemW) / 2 };
  const hemRight = { x: hemMidX + (hemDir.x * bodyHemW) / 2, y: hemY + (hemDir.y * bodyHemW) / 2 };

  // Armpits: the garment's armhole depth in proportion, but never below 45 % of the way to the hem; horizontally
  // between the shoulder corner and the hem side (tops are near-straight from armpit to hem).
  const apDepth = (p: Point) => Math.min((p.y - gMid.y) * scale, (hemY - tMid.y) * 0.45);
  const apLy = tShL.y + apDepth(lm.armpitLeft);
  const apRy = tShR.y + apDepth(lm.armpitRight);
  const chestHalf = Math.max(bodyHemW * 0.5, (gChest * scale) / 2) * (sleeveless ? 1 : 0.98);
  const chestHalfCapped = Math.min(chestHalf, (bodyShoulderW / 2) * 1.02);
  const armpitLeft = { x: tMid.x - chestHalfCapped, y: apLy };
  const armpitRight = { x: tMid.x + chestHalfCapped, y: apRy };

  const targets: BodyTargets = {
    neck,
    shoulderLeft: tShL,
    shoulderRight: tShR,
    armpitLeft,
    armpitRight,
    hemLeft,
    hemRight,
    hemCenter,
    scale,
  };

  // Torso TPS: landmarks plus side midpoints (keep the sides straight) and the chest centre (keeps prints flat).
  const src: P[] = [
    lm.neck,
    gShL,
    gShR,
    lm.armpitLeft,
    lm.armpitRight,
    lm.hemLeft,
    lm.hemRight,
    lm.hemCenter,
    mid(lm.armpitLeft, lm.hemLeft),
    mid(lm.armpitRight, lm.hemRight),
    mid(mid(lm.armpitLeft, lm.armpitRight), lm.hemCenter),
  ];
  const dst: P[] = [
    neck,
    tShL,
    tShR,
    armpitLeft,
    armpitRight,
    hemLeft,
    hemRight,
    hemCenter,
    mid(armpitLeft, hemLeft),
    mid(armpitRight, hemRight),
    mid(mid(armpitLeft, armpitRight), hemCenter),
  ];
  const tps: Tps = fitTps(src, dst, 0.002);

  // Arm thickness across the bone at mid upper arm, from the silhouette (both directions from the bone line).
  const armWidth = (a: P, b: P | null): number => {
    if (!b) return sw * 0.3;
    const m = mid(a, b);
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    return (
      edgeAlong(parsing.person, m, -dy, dx, sw * 0.4) + edgeAlong(parsing.person, m, dy, -dx, sw * 0.4) || sw * 0.3
    );
  };
  const sleeveMap = (
    s: SleeveInfo | null,
    armpit: Point,
    shoulderJoint: P,
    elbow: P | null,
    wrist: P | null,
    side: -1 | 1,
  ) => {
    if (!s) return null;
    // The sleeve's centre line, not its top edge: from the middle of the armhole (shoulder corner ↔ armpit) to the
    // cuff centre. It maps onto the arm's bone line (shoulder joint → elbow → wrist), which runs down the middle of
    // the arm; mapping the top edge there instead left the inner half of the arm bare between sleeve and torso.
    const rootG = mid(s.root, armpit);
    const gx = s.end.x - rootG.x;
    const gy = s.end.y - rootG.y;
    const gl = Math.max(1, Math.hypot(gx, gy));
    const gu = { x: gx / gl, y: gy / gl };
    const root = shoulderJoint;
    // Arm polyline: shoulder joint → elbow → wrist; without an elbow the arm hangs down and slightly out.
    const e = elbow ?? { x: root.x + side * sw * 0.15, y: root.y + sw * 0.9 };
    const wr = wrist ?? { x: e.x + (e.x - root.x) * 0.9, y: e.y + (e.y - root.y) * 0.9 };
    const seg1 = Math.max(1, Math.hypot(e.x - root.x, e.y - root.y));
    const seg2 = Math.max(1, Math.hypot(wr.x - e.x, wr.y - e.y));
    const u1 = { x: (e.x - root.x) / seg1, y: (e.y - root.y) / seg1 };
    const u2 = { x: (wr.x - e.x) / seg2, y: (wr.y - e.y) / seg2 };
    // Sleeve length on the body: the garment's, scaled; long sleeves end at the wrist at most.
    const bodyLen = Math.min(gl * scale, seg1 + seg2 * 1.05);
    // Across the sleeve: the garment's scale, but at least 1.3 × the arm's thickness so the sleeve closes around
    // the arm (a sleeve hanging in the flat-lay is folded to about half its girth; at 1.1 × the inner side of the
    // arm stayed bare between the sleeve and the torso: the cardigan's gaps at the armpit). Capped at 2.2 × scale so
    // a bad arm measurement cannot balloon it; the clip to the silhouette trims whatever overshoots the arm.
    const armW = armWidth(root, elbow);
    const widthScale = Math.min(scale * 2.2, Math.max(scale * 0.95, (armW * 1.3) / Math.max(1, s.width)));
    return (x: number, y: number): P => {
      const dx = x - rootG.x;
      const dy = y - rootG.y;
      const t = (dx * gu.x + dy * gu.y) / gl; // 0 at the root, 1 at the cuff
      const n = dx * -gu.y + dy * gu.x; // signed distance across the sleeve
      const d = Math.max(0, t) * bodyLen;
      // Bend at the elbow with a short blend so that the sleeve's outline stays continuous.
      const bend = Math.min(1, Math.max(0, (d - (seg1 - sw * 0.08)) / (sw * 0.16)));
      const ux2 = u1.x * (1 - bend) + u2.x * bend;
      const uy2 = u1.y * (1 - bend) + u2.y * bend;
      const ul = Math.hypot(ux2, uy2) || 1;
      const along =
        d <= seg1
          ? { x: root.x + u1.x * d, y: root.y + u1.y * d }
          : { x: e.x + u2.x * (d - seg1), y: e.y + u2.y * (d - seg1) };
      const bone = { x: along.x + (-uy2 / ul) * n * widthScale, y: along.y + (ux2 / ul) * n * widthScale };
      // Blend into the torso map near the armhole (t < 0.35): the seam is shared, so nothing tears there.
      const wgt = Math.min(1, Math.max(0, t / 0.35));
      const sm = wgt * wgt * (3 - 2 * wgt);
      const tp = tps.map(x, y);
      return { x: tp.x + (bone.x - tp.x) * sm, y: tp.y + (bone.y - tp.y) * sm };
    };
  };
  const left = sleeveMap(lm.sleeveLeft, lm.armpitLeft, f.lShoulder, f.lElbow, f.lWrist, -1);
  const right = sleeveMap(lm.sleeveRight, lm.armpitRight, f.rShoulder, f.rElbow, f.rWrist, 1);

  return {
    targets,
    mapPart(part: number, x: number, y: number): P {
      if (part === 2 && left) return left(x, y);
      if (part === 3 && right) return right(x, y);
      return tps.map(x, y);
    },
  };
}
