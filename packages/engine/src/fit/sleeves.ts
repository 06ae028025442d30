/**
 * A sleeve's forward map: from the garment's armhole to its cuff, onto the arm from the body's armhole along the arm's
 * bone line (shoulder joint → elbow → wrist), bent at the elbow, as wide as the arm needs, and blended into the torso
 * map near the armhole so the seam does not tear.
 *
 * The sleeve is read as a quadrilateral: its armhole (the garment's shoulder corner → armpit, where the torso map puts
 * them) and its cuff (the two corners of its far end). A point of the sleeve keeps its place between those four edges
 * (inverse bilinear), and lands at the same place between the body's four: the top edge runs from the shoulder corner
 * down the outside of the arm, the underarm edge from the armpit along the inside. A short sleeve photographed hanging
 * steeply beside the body thus hangs from the shoulder on the body too. Measured from the armhole's midpoint instead,
 * the sleeve's upper half lay behind its root and was drawn by the torso map, extrapolated sideways: a horizontal band
 * standing out from the shoulders (the two-tone Vans tee on every person of `ootd/`).
 */
import type { BodyFrame } from '../body/frame.js';
import type { PersonParsing } from '../body/parsing.js';
import { edgeAlong } from '../body/silhouette.js';
import type { Point, SleeveInfo } from '../garment/landmarks.js';
import type { P } from '../raster/draw.js';
import { lerp, mid } from './targets.js';
import type { Tps } from './tps.js';

/** An arm's thickness when it cannot be measured (no elbow, or no silhouette across the bone). */
const ARM_THICKNESS_SW = 0.3;
/**
 * An arm is at most this thick where a cuff is measured: beyond it the silhouette across the bone is something else
 * (a held helmet, the hip the hand rests on), and a cuff that wide covered it.
 */
const ARM_MAX_THICKNESS_SW = 0.4;
/** How far across the bone line the silhouette is searched for the arm's edges, each side. */
const ARM_SEARCH_SW = 0.4;
/** Without an elbow the arm hangs down and slightly out: the elbow this far out and down from the shoulder joint. */
const HANGING_ELBOW = { out: 0.15, down: 0.9 };
/** Without a wrist the forearm continues the upper arm at this share of its length. */
const FOREARM_SHARE = 0.9;
/** Long sleeves end at the wrist at most (a little past it: a cuff's width). */
const PAST_WRIST = 1.05;
/** Across the sleeve: at least this × the arm's thickness, so the sleeve closes around the arm. */
const CLOSE_AROUND_ARM = 1.3;
/** …within these multiples of the garment's scale (a bad arm measurement cannot balloon it). */
const WIDTH_SCALE_RANGE = { min: 0.95, max: 2.2 };
/** The bend at the elbow is blended over this length (shoulder widths), starting half of it before the elbow. */
const ELBOW_BLEND_SW = 0.16;
/** The sleeve blends into the torso map over the first 35 % of its length. */
const ARMHOLE_BLEND = 0.35;
/** A worn cuff's width over the flat-lay's (a flattened tube is π/2 × as wide as the round one)… */
const WORN_OVER_FLAT = 2 / Math.PI;
/** …between these multiples of the arm's thickness where it ends: it closes around the arm, and stands off it a little. */
const CUFF_OVER_ARM = { min: 1.1, max: 1.5 };
/** The cuff's corners: the sleeve's pixels this far (share of its length) from its farthest point along its axis. */
const CUFF_BAND = 0.12;
/** A quadrilateral whose armhole or cuff is shorter than this (pixels), or that is not convex, is not used. */
const MIN_QUAD_EDGE = 4;
/** A triangular sleeve's cuff ends this share of the way from the armpit to the cuff's outer end. */
const TRIANGLE_CUFF_END = 0.1;
/** A corner whose turn's sine is within this of 0 runs straight on (see convex). */
const STRAIGHT_CORNER = 0.1;

/** Arm thickness across the bone at mid upper arm, from the silhouette (both directions from the bone line). */
function armWidth(person: PersonParsing['person'], a: P, b: P | null, sw: number): number {
  if (!b) return sw * ARM_THICKNESS_SW;
  const m = mid(a, b);
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  return (
    edgeAlong(person, m, -dy, dx, sw * ARM_SEARCH_SW) + edgeAlong(person, m, dy, -dx, sw * ARM_SEARCH_SW) ||
    sw * ARM_THICKNESS_SW
  );
}

/** Arm thickness across the bone at `d` along it, from the silhouette (0 where none is found). */
function armWidthAt(person: PersonParsing['person'], bone: Bone, d: number, sw: number): number {
  const c = bone.at(d, 0);
  const side = bone.at(d, 1);
  const nx = side.x - c.x;
  const ny = side.y - c.y;
  return edgeAlong(person, c, nx, ny, sw * ARM_SEARCH_SW) + edgeAlong(person, c, -nx, -ny, sw * ARM_SEARCH_SW);
}

/** The joints one arm is followed along; `side` is -1 for the image's left arm, 1 for its right. */
export interface ArmJoints {
  shoulder: P;
  elbow: P | null;
  wrist: P | null;
  side: -1 | 1;
}

export function armJoints(f: BodyFrame, side: -1 | 1): ArmJoints {
  return side === -1
    ? { shoulder: f.lShoulder, elbow: f.lElbow, wrist: f.lWrist, side }
    : { shoulder: f.rShoulder, elbow: f.rElbow, wrist: f.rWrist, side };
}

/** The garment sleeve's pixels, for its cuff: the part map (`width` wide) and the sleeve's part code. */
export interface SleevePixels {
  parts: Uint8Array;
  width: number;
  part: number;
}

/** A sleeve as four corners, armhole then cuff: top (shoulder) → underarm, and the cuff's top and underarm ends. */
export interface SleeveQuad {
  top: P;
  under: P;
  cuffTop: P;
  cuffUnder: P;
}

/**
 * The garment sleeve's quadrilateral: the armhole from the shoulder corner (`s.root`) to the armpit, and the cuff's
 * two ends, the outermost sleeve pixels on each side of the sleeve's axis among those near its far end. Null when the
 * shape is too small or folded to be read this way.
 */
export function garmentSleeveQuad(s: SleeveInfo, armpit: Point, px: SleevePixels): SleeveQuad | null {
  // Per garment (its part map), computed once: the garment analysis is cached, the fit runs for every try-on.
  const memo = quadMemo.get(px.parts);
  const key = `${px.part} ${s.root.x} ${s.root.y} ${s.end.x} ${s.end.y} ${armpit.x} ${armpit.y}`;
  if (memo?.has(key)) return memo.get(key)!;
  const quad = readSleeveQuad(s, armpit, px);
  if (memo) memo.set(key, quad);
  else quadMemo.set(px.parts, new Map([[key, quad]]));
  return quad;
}

const quadMemo = new WeakMap<Uint8Array, Map<string, SleeveQuad | null>>();

function readSleeveQuad(s: SleeveInfo, armpit: Point, px: SleevePixels): SleeveQuad | null {
  const rootG = mid(s.root, armpit);
  const gl = Math.hypot(s.end.x - rootG.x, s.end.y - rootG.y);
  if (gl < MIN_QUAD_EDGE) return null;
  const u = { x: (s.end.x - rootG.x) / gl, y: (s.end.y - rootG.y) / gl };
  const nrm = { x: -u.y, y: u.x };
  const { parts, width, part } = px;
  let maxA = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] !== part) continue;
    const x = i % width;
    const a = (x - rootG.x) * u.x + ((i - x) / width - rootG.y) * u.y;
    if (a > maxA) maxA = a;
  }
  let bMin = Number.POSITIVE_INFINITY;
  let bMax = Number.NEGATIVE_INFINITY;
  let aAtMin = 0;
  let aAtMax = 0;
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] !== part) continue;
    const x = i % width;
    const y = (i - x) / width;
    const a = (x - rootG.x) * u.x + (y - rootG.y) * u.y;
    if (a < maxA - CUFF_BAND * gl) continue;
    const b = (x - rootG.x) * nrm.x + (y - rootG.y) * nrm.y;
    if (b < bMin) [bMin, aAtMin] = [b, a];
    if (b > bMax) [bMax, aAtMax] = [b, a];
  }
  if (!(bMax - bMin >= MIN_QUAD_EDGE)) return null;
  const at = (a: number, b: number): P => ({
    x: rootG.x + u.x * a + nrm.x * b,
    y: rootG.y + u.y * a + nrm.y * b,
  });
  // The cuff end on the shoulder corner's side of the axis continues the sleeve's top edge.
  const topSide = (s.root.x - rootG.x) * nrm.x + (s.root.y - rootG.y) * nrm.y;
  const [cuffTop, cuffUnder] =
    topSide >= 0 ? [at(aAtMax, bMax), at(aAtMin, bMin)] : [at(aAtMin, bMin), at(aAtMax, bMax)];
  const quad = { top: { x: s.root.x, y: s.root.y }, under: { x: armpit.x, y: armpit.y }, cuffTop, cuffUnder };
  if (convex(quad)) return quad;
  // A cuff whose under end lies behind the armpit (a dropped shoulder: the cuff runs up from the armpit): the sleeve
  // read as the triangle it is, its cuff from the outer end to the armpit.
  const triangle = { ...quad, cuffUnder: lerp(quad.under, quad.cuffTop, TRIANGLE_CUFF_END) };
  return convex(triangle) ? triangle : null;
}

/**
 * Whether the quadrilateral top → cuffTop → cuffUnder → under turns the same way at every corner, or runs straight on
 * at one (the sine of its turn within `STRAIGHT_CORNER`): a dropped-shoulder tee's cuff runs into its armpit, and its
 * sleeve is a triangle with the cuff's under end on that line.
 */
function convex(q: SleeveQuad): boolean {
  const pts = [q.top, q.cuffTop, q.cuffUnder, q.under];
  const turns = pts.map((a, i) => {
    const b = pts[(i + 1) % 4]!;
    const c = pts[(i + 2) % 4]!;
    const cross = (b.x - a.x) * (c.y - b.y) - (b.y - a.y) * (c.x - b.x);
    return cross / Math.max(1e-9, Math.hypot(b.x - a.x, b.y - a.y) * Math.hypot(c.x - b.x, c.y - b.y));
  });
  const sign = Math.sign(turns.reduce((sum, t) => sum + t, 0));
  const straight = turns.filter((t) => Math.abs(t) <= STRAIGHT_CORNER).length;
  return (
    straight <= 1 &&
    turns.every((t) => Math.abs(t) <= STRAIGHT_CORNER || Math.sign(t) === sign) &&
    Math.hypot(q.under.x - q.top.x, q.under.y - q.top.y) >= MIN_QUAD_EDGE
  );
}

/**
 * (u, v) of `p` in the quadrilateral: u from the armhole (0) to the cuff (1), v from the top edge (0) to the underarm
 * edge (1); p = bilinear(u, v). Points outside it extrapolate. Null where the quadratic has no usable root.
 */
export function inverseBilinear(q: SleeveQuad, p: P): { u: number; v: number } | null {
  return bilinearInverter(q)(p.x, p.y);
}

/**
 * inverseBilinear for many points of one quadrilateral: what depends only on the quadrilateral is computed once (the
 * mesh maps some ten thousand vertices a sleeve).
 */
function bilinearInverter(q: SleeveQuad): (x: number, y: number) => { u: number; v: number } | null {
  // p = top + u·e + v·f + u·v·g, with e = cuffTop − top, f = under − top, g = top − cuffTop − under + cuffUnder.
  const ex = q.cuffTop.x - q.top.x;
  const ey = q.cuffTop.y - q.top.y;
  const fx = q.under.x - q.top.x;
  const fy = q.under.y - q.top.y;
  const gx = q.top.x - q.cuffTop.x - q.under.x + q.cuffUnder.x;
  const gy = q.top.y - q.cuffTop.y - q.under.y + q.cuffUnder.y;
  const k2 = gx * fy - gy * fx;
  const ef = ex * fy - ey * fx;
  return (x, y) => {
    const hx = x - q.top.x;
    const hy = y - q.top.y;
    const k1 = ef + (hx * gy - hy * gx);
    const k0 = hx * ey - hy * ex;
    if (Math.abs(k2) < 1e-9 * Math.max(1, Math.abs(k1))) {
      if (Math.abs(k1) < 1e-12) return null;
      const v = -k0 / k1;
      const u = uAt(v, ex, ey, gx, gy, hx - fx * v, hy - fy * v);
      return Number.isFinite(u) && Number.isFinite(v) ? { u, v } : null;
    }
    const disc = k1 * k1 - 4 * k0 * k2;
    if (disc < 0) return null;
    const r = Math.sqrt(disc);
    // Of the two roots, the one whose (u, v) lies nearest the unit square: the other is the mirror solution on the
    // far side of where the edges' extensions cross, and choosing by v alone flipped between them near the top edge.
    const v1 = (-k1 + r) / (2 * k2);
    const v2 = (-k1 - r) / (2 * k2);
    const u1 = uAt(v1, ex, ey, gx, gy, hx - fx * v1, hy - fy * v1);
    const u2 = uAt(v2, ex, ey, gx, gy, hx - fx * v2, hy - fy * v2);
    const out1 = Number.isFinite(u1) ? outside(u1, v1) : Number.POSITIVE_INFINITY;
    const out2 = Number.isFinite(u2) ? outside(u2, v2) : Number.POSITIVE_INFINITY;
    if (out1 === Number.POSITIVE_INFINITY && out2 === Number.POSITIVE_INFINITY) return null;
    return out1 <= out2 ? { u: u1, v: v1 } : { u: u2, v: v2 };
  };
}

/** u for a root v: (h − v·f) = u·(e + v·g), solved on its larger component (a plain function: no closure a call). */
function uAt(v: number, ex: number, ey: number, gx: number, gy: number, rx: number, ry: number): number {
  const dx = ex + gx * v;
  const dy = ey + gy * v;
  return Math.abs(dx) >= Math.abs(dy) ? rx / dx : ry / dy;
}

/** How far (u, v) lies outside the unit square, summed over both axes. */
const outside = (u: number, v: number) => Math.max(0, -u, u - 1) + Math.max(0, -v, v - 1);

/** A sleeve's four corners on the body as (along the bone, across it) pairs: top, under, cuff top, cuff under. */
type Corners = [P, P, P, P];

/** Bilinear interpolation of the corners over (u, v). */
const bilinear = (c: Corners, u: number, v: number): P => {
  const [top, under, cuffTop, cuffUnder] = c;
  const a = { x: top.x + (cuffTop.x - top.x) * u, y: top.y + (cuffTop.y - top.y) * u };
  const b = { x: under.x + (cuffUnder.x - under.x) * u, y: under.y + (cuffUnder.y - under.y) * u };
  return { x: a.x + (b.x - a.x) * v, y: a.y + (b.y - a.y) * v };
};

/** The arm's bone line as a function of the distance along it, bent at the elbow with a short blend. */
interface Bone {
  /** The point at distance `d` from the shoulder joint, moved `n` across (positive: to the bone's left-hand normal). */
  at(d: number, n: number): P;
  /** Shoulder joint → elbow, elbow → wrist, and the upper arm's direction. */
  seg1: number;
  seg2: number;
  u1: P;
}

function boneOf(arm: ArmJoints, sw: number): Bone {
  const { shoulder: root, elbow, side } = arm;
  // Arm polyline: shoulder joint → elbow → wrist; without an elbow the arm hangs down and slightly out.
  const e = elbow ?? { x: root.x + side * sw * HANGING_ELBOW.out, y: root.y + sw * HANGING_ELBOW.down };
  const wr = arm.wrist ?? { x: e.x + (e.x - root.x) * FOREARM_SHARE, y: e.y + (e.y - root.y) * FOREARM_SHARE };
  const seg1 = Math.max(1, Math.hypot(e.x - root.x, e.y - root.y));
  const seg2 = Math.max(1, Math.hypot(wr.x - e.x, wr.y - e.y));
  const u1 = { x: (e.x - root.x) / seg1, y: (e.y - root.y) / seg1 };
  const u2 = { x: (wr.x - e.x) / seg2, y: (wr.y - e.y) / seg2 };
  return {
    seg1,
    seg2,
    u1,
    at(d, n) {
      // Bend at the elbow with a short blend so that the sleeve's outline stays continuous.
      const bend = Math.min(1, Math.max(0, (d - (seg1 - sw * (ELBOW_BLEND_SW / 2))) / (sw * ELBOW_BLEND_SW)));
      const ux = u1.x * (1 - bend) + u2.x * bend;
      const uy = u1.y * (1 - bend) + u2.y * bend;
      const ul = Math.hypot(ux, uy) || 1;
      const along =
        d <= seg1
          ? { x: root.x + u1.x * d, y: root.y + u1.y * d }
          : { x: e.x + u2.x * (d - seg1), y: e.y + u2.y * (d - seg1) };
      return { x: along.x + (-uy / ul) * n, y: along.y + (ux / ul) * n };
    },
  };
}

/** The torso map at the armhole (`w` 0), the sleeve's own map from `ARMHOLE_BLEND` on, smoothly between. */
function blendIntoTorso(tp: P, own: P, w: number): P {
  const c = Math.min(1, Math.max(0, w / ARMHOLE_BLEND));
  const sm = c * c * (3 - 2 * c);
  return { x: tp.x + (own.x - tp.x) * sm, y: tp.y + (own.y - tp.y) * sm };
}

/** A sleeve map's answer: where a garment pixel lands, and how far (0 at the armhole) it is from the torso map. */
type OwnMap = (x: number, y: number) => { p: P; w: number } | null;

/** Sizes on the body: garment scale, across-scale, and the longest sleeve (to past the wrist). */
interface SleeveSizes {
  scale: number;
  widthScale: number;
  maxLen: number;
}

/**
 * The body's sleeve corners as (along the bone, across it) pairs, in SleeveQuad's order: the armhole's two ends where
 * the torso map puts the garment's shoulder corner and armpit (so the seam meets the body panel), and the cuff at each
 * edge's own length from them (scaled, at most past the wrist), centred on the bone, its underarm end on the torso's
 * side.
 */
function bodyCorners(
  g: SleeveQuad,
  bone: Bone,
  arm: ArmJoints,
  parsing: PersonParsing,
  z: SleeveSizes,
  tps: Tps,
): Corners {
  const { frame, person } = parsing;
  const n1 = { x: -bone.u1.y, y: bone.u1.x };
  const local = (p: P): P => ({
    x: (p.x - arm.shoulder.x) * bone.u1.x + (p.y - arm.shoulder.y) * bone.u1.y,
    y: (p.x - arm.shoulder.x) * n1.x + (p.y - arm.shoulder.y) * n1.y,
  });
  // The underarm edge is on the side of the bone where the torso is (the hips' midpoint).
  const hips = mid(frame.lHip, frame.rHip);
  const under = Math.sign(local(hips).y) || -1;
  const top = local(tps.map(g.top.x, g.top.y));
  const armpit = local(tps.map(g.under.x, g.under.y));
  const edge = (a: P, b: P) => Math.hypot(b.x - a.x, b.y - a.y) * z.scale;
  const cuffTopAlong = Math.min(z.maxLen, top.x + edge(g.top, g.cuffTop));
  const cuffUnderAlong = Math.min(z.maxLen, armpit.x + edge(g.under, g.cuffUnder));
  // The cuff worn: the flat-lay's cuff is a flattened tube, about π/2 × as wide as the round one, but it closes
  // around the arm where it ends and stands off it only so far.
  const sw = frame.shoulderWidth;
  const measured = armWidthAt(person, bone, (cuffTopAlong + cuffUnderAlong) / 2, sw) || sw * ARM_THICKNESS_SW;
  const armAtCuff = Math.min(measured, sw * ARM_MAX_THICKNESS_SW);
  const flatCuff = Math.hypot(g.cuffTop.x - g.cuffUnder.x, g.cuffTop.y - g.cuffUnder.y) * z.scale;
  const halfCuff =
    Math.min(armAtCuff * CUFF_OVER_ARM.max, Math.max(armAtCuff * CUFF_OVER_ARM.min, flatCuff * WORN_OVER_FLAT)) / 2;
  const corners: Corners = [
    top,
    armpit,
    { x: cuffTopAlong, y: -under * halfCuff },
    { x: cuffUnderAlong, y: under * halfCuff },
  ];
  return corners;
}

/** The quadrilateral map: each garment pixel's (u, v) in the garment's sleeve, onto the body's corners. */
function quadMap(g: SleeveQuad, corners: Corners, bone: Bone): OwnMap {
  const invert = bilinearInverter(g);
  return (x, y) => {
    const uv = invert(x, y);
    if (!uv) return null;
    const local = bilinear(corners, uv.u, uv.v);
    return { p: bone.at(local.x, local.y), w: uv.u };
  };
}

/**
 * The map for sleeves whose quadrilateral cannot be read: the sleeve's centre line, from the armhole's midpoint to
 * the cuff's centre, onto the bone line from the shoulder joint.
 */
function axisMap(s: SleeveInfo, armpit: Point, bone: Bone, z: SleeveSizes): OwnMap {
  const rootG = mid(s.root, armpit);
  const gl = Math.max(1, Math.hypot(s.end.x - rootG.x, s.end.y - rootG.y));
  const gu = { x: (s.end.x - rootG.x) / gl, y: (s.end.y - rootG.y) / gl };
  const bodyLen = Math.min(gl * z.scale, z.maxLen);
  return (x, y) => {
    const dx = x - rootG.x;
    const dy = y - rootG.y;
    const t = (dx * gu.x + dy * gu.y) / gl; // 0 at the root, 1 at the cuff
    const n = dx * -gu.y + dy * gu.x; // signed distance across the sleeve
    return { p: bone.at(Math.max(0, t) * bodyLen, n * z.widthScale), w: t };
  };
}

/**
 * The sleeve's forward map, or null without a sleeve. `scale` is the garment's; `tps` the torso's map; `pixels` the
 * garment's part map, for the cuff.
 */
export function sleeveMap(
  s: SleeveInfo | null,
  armpit: Point,
  arm: ArmJoints,
  parsing: PersonParsing,
  scale: number,
  tps: Tps,
  pixels: SleevePixels,
): ((x: number, y: number) => P) | null {
  if (!s) return null;
  const sw = parsing.frame.shoulderWidth;
  const bone = boneOf(arm, sw);
  // Across the sleeve: the garment's scale, but at least 1.3 × the arm's thickness so the sleeve closes around
  // the arm (a sleeve hanging in the flat-lay is folded to about half its girth). Capped at 2.2 × scale so a bad
  // arm measurement cannot balloon it; the clip to the silhouette trims whatever overshoots the arm.
  const armW = armWidth(parsing.person, arm.shoulder, arm.elbow, sw);
  const widthScale = Math.min(
    scale * WIDTH_SCALE_RANGE.max,
    Math.max(scale * WIDTH_SCALE_RANGE.min, (armW * CLOSE_AROUND_ARM) / Math.max(1, s.width)),
  );
  const sizes = { scale, widthScale, maxLen: bone.seg1 + bone.seg2 * PAST_WRIST };
  const quad = garmentSleeveQuad(s, armpit, pixels);
  const own = quad
    ? quadMap(quad, bodyCorners(quad, bone, arm, parsing, sizes, tps), bone)
    : axisMap(s, armpit, bone, sizes);
  return (x: number, y: number): P => {
    const tp = tps.map(x, y);
    const m = own(x, y);
    return m ? blendIntoTorso(tp, m.p, m.w) : tp;
  };
}
