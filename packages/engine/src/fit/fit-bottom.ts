/**
 * The fit of bottoms (skirts, trousers, shorts): waistband → hips, hem → a length on the legs in proportion to the
 * garment, and for trousers one map per leg along hip → knee → ankle (like a sleeve along its arm), blended into
 * the waist panel's thin-plate spline below the crotch so the seam between panel and legs does not tear.
 */

import type { PersonParsing } from '../body/parsing.js';
import { edgeAlong } from '../body/silhouette.js';
import { EngineError } from '../engine.js';
import type { GarmentAnalysis } from '../garment/analyze.js';
import type { LegInfo } from '../garment/bottoms.js';
import type { P } from '../raster/draw.js';
import type { BodyTargets, GarmentFit } from './targets.js';
import { fitTps } from './tps.js';

const mid = (a: P, b: P): P => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });

/** Typical flat-lay length / waist width: a knee-length skirt and full-length trousers. */
const TYPICAL_SKIRT_RATIO = 1.6;
const TYPICAL_TROUSERS_RATIO = 2.7;

/**
 * Checks that the photo shows the legs a bottom needs: the knees for a skirt or shorts, the ankles for trousers.
 * MoveNet guesses joints below the frame's edge; a joint counts only if it lies inside the photo and on the person.
 */
export function checkLegsVisible(g: GarmentAnalysis, parsing: PersonParsing): void {
  const f = parsing.frame;
  const { width: w, height: h, person } = parsing;
  const onPerson = (p: P | null): boolean => {
    if (!p || p.x < 0 || p.y < 0 || p.x >= w || p.y >= h * 0.985) return false;
    const r = Math.max(2, Math.round(f.shoulderWidth * 0.05));
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
  const f = parsing.frame;
  const sw = f.shoulderWidth;
  const lKnee = f.lKnee!;
  const rKnee = f.rKnee!;
  const hipMid = mid(f.lHip, f.rHip);
  // The waistband sits a little above the hip joints (MoveNet's hips are the joints, ~ a fifth of the shoulder
  // width below where a mid-rise waistband lies), and spans the silhouette there.
  // Where the current lower garment starts higher (high-rise jeans), the new waistband goes up to cover it, so no
  // strip of the old waistband shows above the new one; never above 0.45 sw over the hip joints (the top's hem).
  let oldTop = Number.POSITIVE_INFINITY;
  const lc = parsing.lowerClothes;
  const xa = Math.round(Math.min(f.lHip.x, f.rHip.x));
  const xb = Math.round(Math.max(f.lHip.x, f.rHip.x));
  for (
    let y = Math.max(0, Math.round(hipMid.y - sw * 0.45));
    y < hipMid.y && oldTop === Number.POSITIVE_INFINITY;
    y++
  ) {
    let cnt = 0;
    for (let x = xa; x <= xb; x++) cnt += lc.data[y * lc.width + x]!;
    if (cnt > (xb - xa + 1) * 0.3) oldTop = y;
  }
  const waistY = Math.max(hipMid.y - sw * 0.45, Math.min(hipMid.y - sw * 0.2, oldTop - 2));
  const wc = { x: hipMid.x, y: waistY };
  const outL = edgeAlong(parsing.person, wc, -1, 0, sw * 0.9);
  const outR = edgeAlong(parsing.person, wc, 1, 0, sw * 0.9);
  const hipJointW = Math.abs(f.rHip.x - f.lHip.x);
  // The silhouette edge is unreliable where a hand rests on the hip: keep the waist within 1.2–1.8 × the joints.
  const halfL = Math.min(hipJointW * 0.9, Math.max(hipJointW * 0.6, outL));
  const halfR = Math.min(hipJointW * 0.9, Math.max(hipJointW * 0.6, outR));
  const waistLeft = { x: wc.x - halfL, y: waistY };
  const waistRight = { x: wc.x + halfR, y: waistY };
  const bodyWaistW = waistRight.x - waistLeft.x;
  const gWaistW = Math.max(1, b.waistRight.x - b.waistLeft.x);
  const scale = bodyWaistW / gWaistW;
  const gLen = (b.bbox[3] - b.waistLeft.y) / gWaistW;
  const kneeY = (lKnee.y + rKnee.y) / 2;

  const gPts: P[] = [b.waistLeft, b.waistRight, mid(b.waistLeft, b.waistRight)];
  const bPts: P[] = [waistLeft, waistRight, wc];

  if (!b.crotch) {
    // Skirt (or untitled shorts without a gap): hem on the legs in proportion to its length (knee for a typical
    // knee-length skirt), width the garment's own flare at the waist's scale, never narrower than the hips.
    const hemY = waistY + (kneeY - waistY) * Math.min(1.9, Math.max(0.35, gLen / TYPICAL_SKIRT_RATIO));
    const gHemW = Math.max(1, b.hemRight.x - b.hemLeft.x);
    const hemW = Math.max(hipJointW * 1.6, gHemW * scale);
    // The hem's centre follows the legs' centre at that height (knees), not the hips, for a weight-on-one-leg pose.
    const t = (hemY - hipMid.y) / Math.max(1, kneeY - hipMid.y);
    const cx = hipMid.x + ((lKnee.x + rKnee.x) / 2 - hipMid.x) * Math.min(1.5, Math.max(0, t));
    const hemCenter = { x: cx, y: hemY };
    const hemLeft = { x: cx - hemW / 2, y: hemY };
    const hemRight = { x: cx + hemW / 2, y: hemY };
    const gHemC = mid(b.hemLeft, b.hemRight);
    gPts.push(b.hemLeft, b.hemRight, gHemC, mid(b.waistLeft, b.hemLeft), mid(b.waistRight, b.hemRight));
    bPts.push(hemLeft, hemRight, hemCenter, mid(waistLeft, hemLeft), mid(waistRight, hemRight));
    const tps = fitTps(gPts, bPts, 0.002);
    const targets = mkTargets(waistLeft, waistRight, wc, hemLeft, hemRight, hemCenter, scale, f.lHip, f.rHip);
    return { targets, mapPart: (_part, x, y) => tps.map(x, y) };
  }
  // Trousers: each leg's axis in the flat-lay (leg top at the waistband → hem centre) maps onto the body's leg
  // (waist above the hip joint → hip joint → knee → ankle), length in proportion to the garment.
  const lAnkle = f.lAnkle ?? { x: lKnee.x, y: kneeY + (kneeY - hipMid.y) };
  const rAnkle = f.rAnkle ?? { x: rKnee.x, y: kneeY + (kneeY - hipMid.y) };
  const lenFrac = Math.min(1.04, Math.max(0.25, gLen / TYPICAL_TROUSERS_RATIO));
  const crotchT = (b.crotch.y - b.waistLeft.y) / Math.max(1, b.bbox[3] - b.waistLeft.y);
  const legMap = (leg: LegInfo, hip: P, knee: P, ankle: P) => {
    const pts: P[] = [{ x: hip.x, y: waistY }, hip, knee, ankle];
    // Full length to the ankle joint plus a little (the hem covers the ankle bone).
    const segs = [0, 1, 2].map((i) => Math.max(1, Math.hypot(pts[i + 1]!.x - pts[i]!.x, pts[i + 1]!.y - pts[i]!.y)));
    const total = segs[0]! + segs[1]! + segs[2]! + sw * 0.05;
    const bodyLen = total * lenFrac;
    const gx = leg.hem.x - leg.top.x;
    const gy = leg.hem.y - leg.top.y;
    const gl = Math.max(1, Math.hypot(gx, gy));
    const gu = { x: gx / gl, y: gy / gl };
    // Across the leg: the garment's scale, at least 1.15 × the leg's thickness at mid-thigh so the leg closes
    // around the body; the clip to the silhouette trims the excess.
    const thigh = mid(hip, knee);
    const thighW = edgeAlong(parsing.person, thigh, -1, 0, sw * 0.6) + edgeAlong(parsing.person, thigh, 1, 0, sw * 0.6);
    const widthScale = Math.min(scale * 1.8, Math.max(scale, (thighW * 1.15) / Math.max(1, leg.width)));
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
      const wgt = Math.min(1, Math.max(0, (t - crotchT) / 0.2));
      const sm = wgt * wgt * (3 - 2 * wgt);
      const tp = tps(x, y);
      return { x: tp.x + (bone.x - tp.x) * sm, y: tp.y + (bone.y - tp.y) * sm };
    };
    return { map, hemLeft, hemRight };
  };
  const legL = legMap(b.legLeft!, f.lHip, lKnee, lAnkle);
  const legR = legMap(b.legRight!, f.rHip, rKnee, rAnkle);
  // The crotch lies below the hip joints by the garment's rise at its scale (a little less: the rise curves
  // round the body), kept within 0.1–0.45 sw of the joints; a fixed depth squeezed the flat-lay's rise into a
  // band of bunched stripes.
  const rise = (b.crotch.y - b.waistLeft.y) * scale * 0.85;
  const crotchBody = {
    x: hipMid.x,
    y: Math.min(hipMid.y + sw * 0.45, Math.max(hipMid.y + sw * 0.1, waistY + rise)),
  };
  // The hips at crotch height: out to the silhouette (the old trousers' outer seam must not show beside the new).
  const hl = edgeAlong(parsing.person, crotchBody, -1, 0, sw * 0.9);
  const hr = edgeAlong(parsing.person, crotchBody, 1, 0, sw * 0.9);
  const hipLeft = { x: crotchBody.x - Math.max(hl, hipJointW * 0.6) * 1.04, y: crotchBody.y };
  const hipRight = { x: crotchBody.x + Math.max(hr, hipJointW * 0.6) * 1.04, y: crotchBody.y };
  gPts.push(b.crotch, b.hipLeft!, b.hipRight!);
  bPts.push(crotchBody, hipLeft, hipRight);
  const tpsT = fitTps(gPts, bPts, 0.002);
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
