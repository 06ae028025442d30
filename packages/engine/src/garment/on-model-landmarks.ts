/**
 * Landmarks of a garment cut off a model, read against the model's body rather than from the outline alone. A worn
 * garment's outline is a poor guide: an open V splits the front in two halves down to the knot, sleeves hang beside
 * the body, the model is turned. Its body is a good one: the shoulder seams sit over the shoulder joints, the torso
 * runs between the shoulder and hip lines, the sleeves lie along the arms.
 */
import type { BodyFrame } from '../body/frame.js';
import { largestComponent } from '../raster/components.js';
import type { P } from '../raster/draw.js';
import { type BinaryMask, maskBounds } from '../raster/mask.js';
import { type GarmentLandmarks, type Point, type SleeveInfo, sleeveFromParts, strapCorner } from './landmarks.js';

/** Point-in-polygon (even-odd) for a convex or concave polygon. */
function inside(poly: P[], x: number, y: number): boolean {
  let c = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const a = poly[i]!;
    const b = poly[j]!;
    if (a.y > y !== b.y > y && x < ((b.x - a.x) * (y - a.y)) / (b.y - a.y) + a.x) c = !c;
  }
  return c;
}

export function onModelLandmarks(
  mask: BinaryMask,
  frame: BodyFrame,
  options: { sleeveless?: boolean } = {},
): GarmentLandmarks | null {
  const { width: w, height: h, data } = mask;
  const bounds = maskBounds(mask);
  if (!bounds) return null;
  const [x0, y0, x1, y1] = bounds;
  const sw = frame.shoulderWidth;
  const lS = frame.lShoulder;
  const rS = frame.rShoulder;
  const midX = (lS.x + rS.x) / 2;
  const shY = (lS.y + rS.y) / 2;
  const hipY = (frame.lHip.y + frame.rHip.y) / 2;
  const at = (x: number, y: number) => {
    const xi = Math.round(x);
    const yi = Math.round(y);
    return xi >= 0 && yi >= 0 && xi < w && yi < h && data[yi * w + xi] === 1;
  };
  const topAt = (x: number, from: number, to: number): number | null => {
    const xi = Math.round(Math.min(w - 1, Math.max(0, x)));
    for (let y = Math.max(0, Math.round(from)); y <= Math.min(h - 1, Math.round(to)); y++)
      if (data[y * w + xi]) return y;
    return null;
  };

  // Shoulder corners: the garment's outer edge along the shoulder line, scanned inward from 0.35 shoulder widths
  // past the joint (a sleeved garment covers the shoulder to the arm's edge; a strap stops inside it), then lifted
  // to the top of the garment there.
  const ux = (rS.x - lS.x) / sw;
  const uy = (rS.y - lS.y) / sw;
  // A strap or a cut-away shoulder may start below the joint: lower the scan line in steps until it meets the
  // garment.
  const corner = (s: P, sign: number): Point => {
    for (let dy = 0; dy <= sw * 0.3; dy += Math.max(2, sw * 0.03)) {
      for (let d = sw * 0.35; d > -sw * 0.4; d -= 1) {
        const x = s.x + sign * ux * d;
        const y = s.y + sign * uy * d + dy;
        if (at(x, y) || at(x, y - 2) || at(x, y + 2)) {
          const top = topAt(x, s.y - sw * 0.5, y + 2);
          return { x, y: top ?? y };
        }
      }
    }
    return { x: s.x, y: topAt(s.x, s.y - sw * 0.5, s.y + sw * 0.3) ?? s.y };
  };
  // Sleeveless: the strap's outermost high point (outward offset minus a penalty for dropping), as on a flat-lay;
  // the shoulder line of a tank runs past the straps into the armholes.
  const strap = (sign: number): Point =>
    strapCorner(data, w, [x0, y0, x1], Math.min(y1, shY + (hipY - shY) * 0.3), midX, sign);
  const shoulderLeft = options.sleeveless ? strap(-1) : corner(lS, -1);
  const shoulderRight = options.sleeveless ? strap(1) : corner(rS, 1);

  // Neckline: the top of the garment near the body's axis (a collar, or the neckband of a crew neck).
  let neckY = Number.POSITIVE_INFINITY;
  for (let x = Math.round(midX - sw * 0.15); x <= Math.round(midX + sw * 0.15); x++) {
    const t = topAt(x, y0, shY + sw * 0.4);
    if (t !== null && t < neckY) neckY = t;
  }
  const neck = { x: midX, y: Number.isFinite(neckY) ? neckY : y0 };

  // Hem: the lowest row of the garment across the middle of the body.
  const hipMidX = (frame.lHip.x + frame.rHip.x) / 2;
  let hemY = -1;
  for (let y = y1; y > shY && hemY < 0; y--) {
    let n = 0;
    for (let x = Math.round(hipMidX - sw * 0.3); x <= Math.round(hipMidX + sw * 0.3); x++) if (at(x, y)) n++;
    if (n > sw * 0.15) hemY = y;
  }
  if (hemY < 0) hemY = y1;
  // Hem corners: the outermost garment pixels just above the hem, within half a shoulder width outside the hips
  // (a crochet's holes break any run through the middle; a hand further out is not the hem).
  const hy = Math.round(hemY - (hemY - y0) * 0.02);
  const xa = Math.max(0, Math.round(Math.min(frame.lHip.x, frame.rHip.x) - sw * 0.5));
  const xb = Math.min(w - 1, Math.round(Math.max(frame.lHip.x, frame.rHip.x) + sw * 0.5));
  let ha = Math.round(hipMidX);
  let hb = ha;
  for (let x = xa; x <= xb; x++) {
    if (!at(x, hy)) continue;
    if (x < ha) ha = x;
    if (x > hb) hb = x;
  }
  const hemLeft = { x: ha, y: hy };
  const hemRight = { x: hb, y: hy };

  // Armpits: 35 % of the way from the shoulders to the hips. Sleeved: on the shoulder–hip line, a little outside it
  // (the joints sit inside the silhouette); sleeveless: the garment's own edge on that row.
  const apY = shY + (hipY - shY) * 0.35;
  const side = (s: P, hip: P, sign: number): Point => {
    const t = (apY - s.y) / Math.max(1, hip.y - s.y);
    const lx = s.x + (hip.x - s.x) * t + sign * sw * 0.06;
    if (!options.sleeveless) return { x: lx, y: apY };
    for (let d = sw * 0.3; d > -sw * 0.3; d--) if (at(lx + sign * d, apY)) return { x: lx + sign * d, y: apY };
    return { x: lx, y: apY };
  };
  // A top's sides run near-straight from the armpit to the hem: a loose garment whose hem is wider than the body's
  // line has its armpits out there too (else its sides below a hanging sleeve were taken for sleeve, and the short
  // sleeve of the crochet shirt reached the hem).
  const apL = side(lS, frame.lHip, -1);
  const apR = side(rS, frame.rHip, 1);
  const armpitLeft = options.sleeveless ? apL : { x: Math.min(apL.x, hemLeft.x), y: apL.y };
  const armpitRight = options.sleeveless ? apR : { x: Math.max(apR.x, hemRight.x), y: apR.y };

  // Parts: the torso is the polygon shoulder corners → armpits → down to the bottom, sleeves what lies outside it.
  const poly: P[] = [
    { x: shoulderLeft.x, y: 0 },
    { x: shoulderRight.x, y: 0 },
    shoulderRight,
    armpitRight,
    { x: Math.max(armpitRight.x, hemRight.x) + 2, y: hemY },
    { x: Math.max(armpitRight.x, hemRight.x) + 2, y: h },
    { x: Math.min(armpitLeft.x, hemLeft.x) - 2, y: h },
    { x: Math.min(armpitLeft.x, hemLeft.x) - 2, y: hemY },
    armpitLeft,
    shoulderLeft,
  ];
  const parts = new Uint8Array(w * h);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const i = y * w + x;
      if (!data[i]) continue;
      parts[i] = options.sleeveless || inside(poly, x + 0.5, y + 0.5) ? 1 : x < midX ? 2 : 3;
    }
  }
  const minSleeve = (x1 - x0 + 1) * (y1 - y0 + 1) * 0.012;
  const sleeve = (part: number, root: Point): SleeveInfo | null => {
    const sel = new Uint8Array(w * h);
    for (let i = 0; i < sel.length; i++) sel[i] = parts[i] === part ? 1 : 0;
    const { mask: keep, size } = largestComponent({ data: sel, width: w, height: h });
    for (let i = 0; i < sel.length; i++) if (sel[i] && !keep.data[i]) parts[i] = 1;
    if (size <= minSleeve) {
      for (let i = 0; i < sel.length; i++) if (keep.data[i]) parts[i] = 1;
      return null;
    }
    // Only the kept component is still labelled `part`.
    return sleeveFromParts(parts, w, part, root, size);
  };
  const sleeveLeft = sleeve(2, shoulderLeft);
  const sleeveRight = sleeve(3, shoulderRight);

  return {
    centerX: midX,
    neck,
    shoulderLeft,
    shoulderRight,
    armpitLeft,
    armpitRight,
    hemLeft,
    hemRight,
    hemCenter: { x: (ha + hb) / 2, y: hemY },
    sleeveLeft,
    sleeveRight,
    bbox: [x0, y0, x1, y1],
    parts,
    sleevesHanging: false,
  };
}
