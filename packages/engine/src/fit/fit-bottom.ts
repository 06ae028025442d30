/**
 * The fit of bottoms (skirts, trousers, shorts): waistband → hips, hem → a length on the legs in proportion to the
 * garment, and for trousers one map per leg along hip → knee → ankle (like a sleeve along its arm), blended into
 * the waist panel's thin-plate spline below the crotch so the seam between panel and legs does not tear.
 */

import type { PersonParsing } from '../body/parsing.js';
import { edgeAlong } from '../body/silhouette.js';
import { EngineError } from '../engine.js';
import type { GarmentAnalysis } from '../garment/analyze.js';
import type { BottomLandmarks, LegInfo } from '../garment/bottoms.js';
import type { P } from '../raster/draw.js';
import type { BodyTargets, GarmentFit } from './targets.js';
import { fitTps } from './tps.js';

const mid = (a: P, b: P): P => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });

/** Typical flat-lay length / waist width: a knee-length skirt and full-length trousers. */
const TYPICAL_SKIRT_RATIO = 1.6;
const TYPICAL_TROUSERS_RATIO = 2.7;
/** A joint counts as on the person when a person pixel lies within this distance (shoulder widths; at least 2 px). */
const JOINT_ON_PERSON_SW = 0.05;

/**
 * Checks that the photo shows the legs a bottom needs: the knees for a skirt or shorts, the ankles for trousers.
 * MoveNet guesses joints below the frame's edge; a joint counts only if it lies inside the photo and on the person.
 */
export function checkLegsVisible(g: GarmentAnalysis, parsing: PersonParsing): void {
  const f = parsing.frame;
  const { width: w, height: h, person } = parsing;
  const onPerson = (p: P | null): boolean => {
    if (!p || p.x < 0 || p.y < 0 || p.x >= w || p.y >= h * 0.985) return false;
    const r = Math.max(2, Math.round(f.shoulderWidth * JOINT_ON_PERSON_SW));
    for (let y = Math.round(p.y) - r; y <= Math.round(p.y) + r; y++)
      for (let x = Math.round(p.x) - r; x <= Math.round(p.x) + r; x++)
        if (x >= 0 && y >= 0 && x < w && y < h && person.data[y * w + x]) return true;
    return false;
  };
  if (!f.hipsSeen) throw new EngineError('UNSUPPORTED_GARMENT', 'Bottoms need a photo showing the hips and legs.');
  if (g.cls.lowerKind === 'trousers') {
    if (!onPerson(f.lAnkle) || !onPerson(f.rAnkle) || !onPerson(f.lKnee) || !onPerson(f.rKnee)) {
      throw new EngineError(
        'UNSUPPORTED_GARMENT',
        'Trousers need a photo showing both legs down to the ankles; this photo stops above them.',
      );
    }
  } else if (!onPerson(f.lKnee) || !onPerson(f.rKnee)) {
    throw new EngineError(
      'UNSUPPORTED_GARMENT',
      'Skirts and shorts need a photo showing both legs down to the knees; this photo stops above them.',
    );
  }
}

/** The waistband on the body, and the garment's scale from it. */
interface Waist {
  waistY: number;
  /** The waist's centre. */
  wc: P;
  waistLeft: P;
  waistRight: P;
  hipJointW: number;
  scale: number;
  /** The garment's length over its waist's width. */
  gLen: number;
}

/** A waistband sits at most this far above the hip joints (shoulder widths): a top's hem is above it … */
const WAIST_MAX_ABOVE_HIPS_SW = 0.45;
/** … and at least this far: MoveNet's hips are the joints, about a fifth of the shoulder width below a mid-rise
 * waistband. */
const WAIST_MIN_ABOVE_HIPS_SW = 0.2;
/** The old bottom starts on the first row where it covers this share of the span between the hip joints. */
const OLD_WAIST_SHARE = 0.3;
/** The silhouette is searched this far (shoulder widths) from the centre for the waist's and hips' sides. */
const SIDE_SEARCH_SW = 0.9;
/** The silhouette edge is unreliable where a hand rests on the hip: each half waist within 0.6–0.9 × the joints'
 * span (the waist within 1.2–1.8 × it). */
const HALF_WAIST_RANGE = { min: 0.6, max: 0.9 };

/**
 * The waistband sits a little above the hip joints and spans the silhouette there. Where the current lower garment
 * starts higher (high-rise jeans), the new waistband goes up to cover it, so no strip of the old waistband shows
 * above the new one; never higher than the top's hem.
 */
function waistband(b: BottomLandmarks, parsing: PersonParsing): Waist {
  const f = parsing.frame;
  const sw = f.shoulderWidth;
  const hipMid = mid(f.lHip, f.rHip);
  let oldTop = Number.POSITIVE_INFINITY;
  const lc = parsing.lowerClothes;
  const xa = Math.round(Math.min(f.lHip.x, f.rHip.x));
  const xb = Math.round(Math.max(f.lHip.x, f.rHip.x));
  for (
    let y = Math.max(0, Math.round(hipMid.y - sw * WAIST_MAX_ABOVE_HIPS_SW));
    y < hipMid.y && oldTop === Number.POSITIVE_INFINITY;
    y++
  ) {
    let cnt = 0;
    for (let x = xa; x <= xb; x++) cnt += lc.data[y * lc.width + x]!;
    if (cnt > (xb - xa + 1) * OLD_WAIST_SHARE) oldTop = y;
  }
  const waistY = Math.max(
    hipMid.y - sw * WAIST_MAX_ABOVE_HIPS_SW,
    Math.min(hipMid.y - sw * WAIST_MIN_ABOVE_HIPS_SW, oldTop - 2),
  );
  const wc = { x: hipMid.x, y: waistY };
  const outL = edgeAlong(parsing.person, wc, -1, 0, sw * SIDE_SEARCH_SW);
  const outR = edgeAlong(parsing.person, wc, 1, 0, sw * SIDE_SEARCH_SW);
  const hipJointW = Math.abs(f.rHip.x - f.lHip.x);
  const r = HALF_WAIST_RANGE;
  const halfL = Math.min(hipJointW * r.max, Math.max(hipJointW * r.min, outL));
  const halfR = Math.min(hipJointW * r.max, Math.max(hipJointW * r.min, outR));
  const waistLeft = { x: wc.x - halfL, y: waistY };
  const waistRight = { x: wc.x + halfR, y: waistY };
  const bodyWaistW = waistRight.x - waistLeft.x;
  const gWaistW = Math.max(1, b.waistRight.x - b.waistLeft.x);
  const scale = bodyWaistW / gWaistW;
  const gLen = (b.bbox[3] - b.waistLeft.y) / gWaistW;
  return { waistY, wc, waistLeft, waistRight, hipJointW, scale, gLen };
}

/** A skirt's length against a typical one's is kept within these bounds. */
const SKIRT_LENGTH_RANGE = { min: 0.35, max: 1.9 };
/** A skirt's hem is never narrower than this × the hip joints' span (the hips). */
const SKIRT_MIN_HEM = 1.6;
/** The hem's centre follows the legs' centre at most this far past the knees (in hip → knee lengths). */
const HEM_FOLLOWS_KNEES = 1.5;
/** Bottoms' splines are nearly interpolating: a little smoothing keeps them from folding. */
const TPS_SMOOTHING = 0.002;

/**
 * Skirt (or untitled shorts without a gap): hem on the legs in proportion to its length (knee for a typical
 * knee-length skirt), width the garment's own flare at the waist's scale, never narrower than the hips.
 */
function fitSkirt(b: BottomLandmarks, parsing: PersonParsing, waist: Waist, gPts: P[], bPts: P[]): GarmentFit {
  const f = parsing.frame;
  const lKnee = f.lKnee!;
  const rKnee = f.rKnee!;
  const hipMid = mid(f.lHip, f.rHip);
  const kneeY = (lKnee.y + rKnee.y) / 2;
  const { waistY, wc, waistLeft, waistRight, hipJointW, scale, gLen } = waist;
  const r = SKIRT_LENGTH_RANGE;
  const hemY = waistY + (kneeY - waistY) * Math.min(r.max, Math.max(r.min, gLen / TYPICAL_SKIRT_RATIO));
  const gHemW = Math.max(1, b.hemRight.x - b.hemLeft.x);
  const hemW = Math.max(hipJointW * SKIRT_MIN_HEM, gHemW * scale);
  // The hem's centre follows the legs' centre at that height (knees), not the hips, for a weight-on-one-leg pose.
  const t = (hemY - hipMid.y) / Math.max(1, kneeY - hipMid.y);
  const cx = hipMid.x + ((lKnee.x + rKnee.x) / 2 - hipMid.x) * Math.min(HEM_FOLLOWS_KNEES, Math.max(0, t));
  const hemCenter = { x: cx, y: hemY };
  const hemLeft = { x: cx - hemW / 2, y: hemY };
  const hemRight = { x: cx + hemW / 2, y: hemY };
  const gHemC = mid(b.hemLeft, b.hemRight);
  gPts.push(b.hemLeft, b.hemRight, gHemC, mid(b.waistLeft, b.hemLeft), mid(b.waistRight, b.hemRight));
  bPts.push(hemLeft, hemRight, hemCenter, mid(waistLeft, hemLeft), mid(waistRight, hemRight));
  const tps = fitTps(gPts, bPts, TPS_SMOOTHING);
  const targets = mkTargets(waistLeft, waistRight, wc, hemLeft, hemRight, hemCenter, scale, f.lHip, f.rHip);
  return { targets, mapPart: (_part, x, y) => tps.map(x, y) };
}

/** Trousers' length against typical ones' is kept within these bounds (at most 4 % past the ankle). */
const TROUSERS_LENGTH_RANGE = { min: 0.25, max: 1.04 };
/** The full leg reaches this far (shoulder widths) past the ankle joint: the hem covers the ankle bone. */
const PAST_ANKLE_SW = 0.05;
/** The thigh's thickness is searched this far (shoulder widths) each side of its middle. */
const THIGH_SEARCH_SW = 0.6;
/** Across the leg: at least 1.15 × the thigh's thickness so the leg closes around the body … */
const CLOSE_AROUND_THIGH = 1.15;
/** … and at most 1.8 × the garment's scale. */
const LEG_MAX_WIDTH_SCALE = 1.8;
/** The legs blend from the panel's spline at the crotch to their own map over a fifth of their length. */
const CROTCH_BLEND = 0.2;

/**
 * One trouser leg's map: the leg's axis in the flat-lay (leg top at the waistband → hem centre) onto the body's leg
 * (waist above the hip joint → hip joint → knee → ankle), length in proportion to the garment. Pushes the leg's hem
 * points onto the panel spline's point lists.
 */
function legMap(
  leg: LegInfo,
  joints: { hip: P; knee: P; ankle: P },
  parsing: PersonParsing,
  waist: Waist,
  fit: { lenFrac: number; crotchT: number },
  gPts: P[],
  bPts: P[],
) {
  const sw = parsing.frame.shoulderWidth;
  const { hip, knee, ankle } = joints;
  const { waistY, scale } = waist;
  const pts: P[] = [{ x: hip.x, y: waistY }, hip, knee, ankle];
  const segs = [0, 1, 2].map((i) => Math.max(1, Math.hypot(pts[i + 1]!.x - pts[i]!.x, pts[i + 1]!.y - pts[i]!.y)));
  const total = segs[0]! + segs[1]! + segs[2]! + sw * PAST_ANKLE_SW;
  const bodyLen = total * fit.lenFrac;
  const gx = leg.hem.x - leg.top.x;
  const gy = leg.hem.y - leg.top.y;
  const gl = Math.max(1, Math.hypot(gx, gy));
  const gu = { x: gx / gl, y: gy / gl };
  // The clip to the silhouette trims the excess width.
  const thigh = mid(hip, knee);
  const thighW =
    edgeAlong(parsing.person, thigh, -1, 0, sw * THIGH_SEARCH_SW) +
    edgeAlong(parsing.person, thigh, 1, 0, sw * THIGH_SEARCH_SW);
  const widthScale = Math.min(
    scale * LEG_MAX_WIDTH_SCALE,
    Math.max(scale, (thighW * CLOSE_AROUND_THIGH) / Math.max(1, leg.width)),
  );
  const along = (d: number): { p: P; u: P } => {
    let rest = d;
    for (let i = 0; i < 3; i++) {
      const a = pts[i]!;
      const c = pts[i + 1]!;
      const u = { x: (c.x - a.x) / segs[i]!, y: (c.y - a.y) / segs[i]! };
      if (rest <= segs[i]! || i === 2) return { p: { x: a.x + u.x * rest, y: a.y + u.y * rest }, u };
      rest -= segs[i]!;
    }
    return { p: pts[3]!, u: { x: 0, y: 1 } };
  };
  const end = along(bodyLen).p;
  const hemHalf = ((leg.hemRight.x - leg.hemLeft.x) / 2) * widthScale;
  const hemLeft = { x: end.x - hemHalf, y: end.y };
  const hemRight = { x: end.x + hemHalf, y: end.y };
  gPts.push(leg.hem, leg.hemLeft, leg.hemRight);
  bPts.push(end, hemLeft, hemRight);
  const map = (x: number, y: number, tps: (x: number, y: number) => P): P => {
    const dx = x - leg.top.x;
    const dy = y - leg.top.y;
    const t = (dx * gu.x + dy * gu.y) / gl;
    const n = dx * -gu.y + dy * gu.x;
    const { p, u } = along(Math.max(0, t) * bodyLen);
    const bone = { x: p.x - u.y * n * widthScale, y: p.y + u.x * n * widthScale };
    // Pure panel spline down to the crotch, pure leg map a fifth of the length below it.
    const wgt = Math.min(1, Math.max(0, (t - fit.crotchT) / CROTCH_BLEND));
    const sm = wgt * wgt * (3 - 2 * wgt);
    const tp = tps(x, y);
    return { x: tp.x + (bone.x - tp.x) * sm, y: tp.y + (bone.y - tp.y) * sm };
  };
  return { map, hemLeft, hemRight };
}

/** The crotch lies below the hip joints by the garment's rise at its scale, a little less (it curves round the
 * body) … */
const RISE_ON_BODY = 0.85;
/** … kept within this range of the joints (shoulder widths): a fixed depth squeezed the flat-lay's rise into a band
 * of bunched stripes. */
const CROTCH_BELOW_HIPS_SW = { min: 0.1, max: 0.45 };
/** The hips at crotch height reach at least 0.6 × the joints' span each side, and 4 % past the silhouette. */
const HIP_MIN_HALF = 0.6;
const HIP_PAST_EDGE = 1.04;

/** Trousers: the waist panel's thin-plate spline, and one map per leg blended into it below the crotch. */
function fitTrousers(
  b: BottomLandmarks & { crotch: P },
  parsing: PersonParsing,
  waist: Waist,
  gPts: P[],
  bPts: P[],
): GarmentFit {
  const f = parsing.frame;
  const sw = f.shoulderWidth;
  const lKnee = f.lKnee!;
  const rKnee = f.rKnee!;
  const hipMid = mid(f.lHip, f.rHip);
  const kneeY = (lKnee.y + rKnee.y) / 2;
  const { waistY, wc, waistLeft, waistRight, hipJointW, scale, gLen } = waist;
  const lAnkle = f.lAnkle ?? { x: lKnee.x, y: kneeY + (kneeY - hipMid.y) };
  const rAnkle = f.rAnkle ?? { x: rKnee.x, y: kneeY + (kneeY - hipMid.y) };
  const r = TROUSERS_LENGTH_RANGE;
  const lenFrac = Math.min(r.max, Math.max(r.min, gLen / TYPICAL_TROUSERS_RATIO));
  const crotchT = (b.crotch.y - b.waistLeft.y) / Math.max(1, b.bbox[3] - b.waistLeft.y);
  const legFit = { lenFrac, crotchT };
  const legL = legMap(b.legLeft!, { hip: f.lHip, knee: lKnee, ankle: lAnkle }, parsing, waist, legFit, gPts, bPts);
  const legR = legMap(b.legRight!, { hip: f.rHip, knee: rKnee, ankle: rAnkle }, parsing, waist, legFit, gPts, bPts);
  const rise = (b.crotch.y - b.waistLeft.y) * scale * RISE_ON_BODY;
  const crotchBody = {
    x: hipMid.x,
    y: Math.min(
      hipMid.y + sw * CROTCH_BELOW_HIPS_SW.max,
      Math.max(hipMid.y + sw * CROTCH_BELOW_HIPS_SW.min, waistY + rise),
    ),
  };
  // The hips at crotch height: out to the silhouette (the old trousers' outer seam must not show beside the new).
  const hl = edgeAlong(parsing.person, crotchBody, -1, 0, sw * SIDE_SEARCH_SW);
  const hr = edgeAlong(parsing.person, crotchBody, 1, 0, sw * SIDE_SEARCH_SW);
  const hipLeft = { x: crotchBody.x - Math.max(hl, hipJointW * HIP_MIN_HALF) * HIP_PAST_EDGE, y: crotchBody.y };
  const hipRight = { x: crotchBody.x + Math.max(hr, hipJointW * HIP_MIN_HALF) * HIP_PAST_EDGE, y: crotchBody.y };
  gPts.push(b.crotch, b.hipLeft!, b.hipRight!);
  bPts.push(crotchBody, hipLeft, hipRight);
  const tpsT = fitTps(gPts, bPts, TPS_SMOOTHING);
  const tm = (x: number, y: number) => tpsT.map(x, y);
  // The hem corners are the legs' outer ones; the crotch plays the hem's centre.
  const targets = mkTargets(waistLeft, waistRight, wc, legL.hemLeft, legR.hemRight, crotchBody, scale, f.lHip, f.rHip);
  return {
    targets,
    mapPart(part: number, x: number, y: number): P {
      if (part === 2) return legL.map(x, y, tm);
      if (part === 3) return legR.map(x, y, tm);
      return tpsT.map(x, y);
    },
  };
}

export function fitBottom(g: GarmentAnalysis, parsing: PersonParsing): GarmentFit {
  const b = g.bottom;
  if (!b) throw new EngineError('ENGINE_FAILED', 'A bottom without bottom landmarks.');
  checkLegsVisible(g, parsing);
  if (g.cls.lowerKind === 'trousers' && !b.crotch) {
    throw new EngineError(
      'UNSUPPORTED_GARMENT',
      'The trousers in the product photo show no gap between the legs; the legs cannot be fitted separately.',
    );
  }
  const waist = waistband(b, parsing);
  const gPts: P[] = [b.waistLeft, b.waistRight, mid(b.waistLeft, b.waistRight)];
  const bPts: P[] = [waist.waistLeft, waist.waistRight, waist.wc];
  const crotch = b.crotch;
  if (!crotch) return fitSkirt(b, parsing, waist, gPts, bPts);
  return fitTrousers({ ...b, crotch }, parsing, waist, gPts, bPts);
}

/** Body targets in the top's shape: the waistband plays the shoulders, the hip joints the armpits. */
function mkTargets(
  waistLeft: P,
  waistRight: P,
  waistMid: P,
  hemLeft: P,
  hemRight: P,
  hemCenter: P,
  scale: number,
  lHip: P,
  rHip: P,
): BodyTargets {
  return {
    neck: waistMid,
    shoulderLeft: waistLeft,
    shoulderRight: waistRight,
    armpitLeft: { x: waistLeft.x, y: lHip.y },
    armpitRight: { x: waistRight.x, y: rHip.y },
    hemLeft,
    hemRight,
    hemCenter,
    scale,
  };
}
