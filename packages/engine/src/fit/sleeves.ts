/**
 * A sleeve's forward map: along its arm's bone line (shoulder joint → elbow → wrist), bent at the elbow, as wide as
 * the arm needs, and blended into the torso map near the armhole so the seam does not tear.
 */
import type { BodyFrame } from '../body/frame.js';
import type { PersonParsing } from '../body/parsing.js';
import { edgeAlong } from '../body/silhouette.js';
import type { Point, SleeveInfo } from '../garment/landmarks.js';
import type { P } from '../raster/draw.js';
import { mid } from './targets.js';
import type { Tps } from './tps.js';

/** An arm's thickness when it cannot be measured (no elbow, or no silhouette across the bone). */
const ARM_THICKNESS_SW = 0.3;
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

/** The sleeve's forward map, or null without a sleeve. `scale` is the garment's; `tps` the torso's map. */
export function sleeveMap(
  s: SleeveInfo | null,
  armpit: Point,
  arm: ArmJoints,
  parsing: PersonParsing,
  scale: number,
  tps: Tps,
): ((x: number, y: number) => P) | null {
  if (!s) return null;
  const sw = parsing.frame.shoulderWidth;
  const { shoulder: shoulderJoint, elbow, wrist, side } = arm;
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
  const e = elbow ?? { x: root.x + side * sw * HANGING_ELBOW.out, y: root.y + sw * HANGING_ELBOW.down };
  const wr = wrist ?? { x: e.x + (e.x - root.x) * FOREARM_SHARE, y: e.y + (e.y - root.y) * FOREARM_SHARE };
  const seg1 = Math.max(1, Math.hypot(e.x - root.x, e.y - root.y));
  const seg2 = Math.max(1, Math.hypot(wr.x - e.x, wr.y - e.y));
  const u1 = { x: (e.x - root.x) / seg1, y: (e.y - root.y) / seg1 };
  const u2 = { x: (wr.x - e.x) / seg2, y: (wr.y - e.y) / seg2 };
  // Sleeve length on the body: the garment's, scaled; long sleeves end at the wrist at most.
  const bodyLen = Math.min(gl * scale, seg1 + seg2 * PAST_WRIST);
  // Across the sleeve: the garment's scale, but at least 1.3 × the arm's thickness so the sleeve closes around
  // the arm (a sleeve hanging in the flat-lay is folded to about half its girth). Capped at 2.2 × scale so a bad
  // arm measurement cannot balloon it; the clip to the silhouette trims whatever overshoots the arm.
  const armW = armWidth(parsing.person, root, elbow, sw);
  const widthScale = Math.min(
    scale * WIDTH_SCALE_RANGE.max,
    Math.max(scale * WIDTH_SCALE_RANGE.min, (armW * CLOSE_AROUND_ARM) / Math.max(1, s.width)),
  );
  return (x: number, y: number): P => {
    const dx = x - rootG.x;
    const dy = y - rootG.y;
    const t = (dx * gu.x + dy * gu.y) / gl; // 0 at the root, 1 at the cuff
    const n = dx * -gu.y + dy * gu.x; // signed distance across the sleeve
    const d = Math.max(0, t) * bodyLen;
    // Bend at the elbow with a short blend so that the sleeve's outline stays continuous.
    const bend = Math.min(1, Math.max(0, (d - (seg1 - sw * (ELBOW_BLEND_SW / 2))) / (sw * ELBOW_BLEND_SW)));
    const ux2 = u1.x * (1 - bend) + u2.x * bend;
    const uy2 = u1.y * (1 - bend) + u2.y * bend;
    const ul = Math.hypot(ux2, uy2) || 1;
    const along =
      d <= seg1
        ? { x: root.x + u1.x * d, y: root.y + u1.y * d }
        : { x: e.x + u2.x * (d - seg1), y: e.y + u2.y * (d - seg1) };
    const bone = { x: along.x + (-uy2 / ul) * n * widthScale, y: along.y + (ux2 / ul) * n * widthScale };
    // Blend into the torso map near the armhole (t < 0.35): the seam is shared, so nothing tears there.
    const wgt = Math.min(1, Math.max(0, t / ARMHOLE_BLEND));
    const sm = wgt * wgt * (3 - 2 * wgt);
    const tp = tps.map(x, y);
    return { x: tp.x + (bone.x - tp.x) * sm, y: tp.y + (bone.y - tp.y) * sm };
  };
}
