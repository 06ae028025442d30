/**
 * The new garment's sides follow the body's. The torso panel is warped from a handful of landmarks to targets taken
 * from the keypoints (hem width from the hip joints, armpits in the garment's proportions), so on a body that is
 * wider than those proportions, or turned so that one side shows more, the panel stops short of the torso's edge.
 * What shows there is the old garment, which the composite would otherwise paint over with skin: a flat strip down
 * the side that reads as a hole in the new garment.
 *
 * A real garment reaches the sides of the body it is worn on. So, row by row from the armpits down, where the old
 * garment lies on the torso beyond the new garment's edge, the panel's outer band is stretched sideways to cover it:
 * the print stays as it was in the middle and is stretched a little at the side seams, where cloth wraps round the
 * body. Only the old garment on the body's torso is reached for (never the background or skin), at most a fifth of
 * the shoulder width, and the reach is smoothed over rows so the side seam stays a smooth line. Beside a bare arm the
 * old top's side is reached for inside the arm's capsule too: there it is the top's body seen past an arm swung
 * back, not a sleeve (a bare forearm means a short one), and left as it was it stood as a strip of the old colour
 * beside the new garment (woman-1 walking, in every top narrower than her own). Never under an old long sleeve, nor
 * for a sleeveless garment. A dress reaches for the old bottom too (a skirt's hips beside it), inside an arm's capsule
 * even under a long sleeve: a skirt is never a sleeve, and left as it was it showed as a strip of its print between
 * the dress and the arm (01008_00's leopard skirt).
 */

import type { PersonParsing } from '../body/parsing.js';
import type { BodyTargets } from '../fit/targets.js';
import type { GarmentLayer } from '../fit/warp.js';
import { type BinaryMask, emptyMask, or } from '../raster/mask.js';
import { longSleeved, oldBottomCloth } from './old-region.js';

/** Greatest sideways reach, in shoulder widths: past that the old garment is not the new one's missing side. */
const MAX_REACH_SW = 0.2;
/** Width of the panel's outer band that is stretched, in shoulder widths. */
const BAND_SW = 0.25;
/** How far from the body's centre line the panel's edge is looked for on a row (an open front or a deep V). */
const CENTRE_SEARCH_SW = 0.35;
/** Uncovered pixels tolerated inside a run (anti-aliasing, a lace hole) before it is taken to have ended. */
const RUN_GAP = 2;
/** The stretch per row is smoothed over this many rows each side (shoulder widths; at least 2). */
const SMOOTH_SW = 0.04;

/** Median of a window then mean of a window, both ±r: drops single-row spikes, then evens out the steps. */
function smoothRows(v: Float32Array, r: number): Float32Array {
  const n = v.length;
  const med = new Float32Array(n);
  const win: number[] = [];
  for (let i = 0; i < n; i++) {
    win.length = 0;
    for (let j = Math.max(0, i - r); j <= Math.min(n - 1, i + r); j++) win.push(v[j]!);
    win.sort((a, b) => a - b);
    med[i] = win[win.length >> 1]!;
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    let c = 0;
    for (let j = Math.max(0, i - r); j <= Math.min(n - 1, i + r); j++) {
      s += med[j]!;
      c++;
    }
    out[i] = s / c;
  }
  return out;
}

/**
 * The torso, and the capsules of the arms that are bare (no old long sleeve on the forearm) where they are not skin.
 * For a sleeveless garment only the forearms' capsules: it leaves the upper arms bare, and what of the old top lies on
 * them is a short sleeve, which the residue fill takes off (old-sleeves.ts); the body panel stretched over it stood
 * out from the chest as a wing on each side.
 */
function sidesToReach(parsing: PersonParsing, sleeveless: boolean, skirt: BinaryMask): BinaryMask {
  const { torso, skin, upperClothes } = parsing;
  const out = emptyMask(torso.width, torso.height);
  for (const [arm, forearm] of [
    [parsing.armLeft, parsing.forearmLeft],
    [parsing.armRight, parsing.forearmRight],
  ] as const) {
    const sleeve = longSleeved(forearm, upperClothes, parsing);
    const capsule = sleeveless ? forearm : or(arm, forearm);
    for (let p = 0; p < out.data.length; p++) {
      if (capsule.data[p] && (sleeve ? skirt.data[p] : !skin.data[p])) out.data[p] = 1;
    }
  }
  return or(out, torso);
}

/**
 * Stretches the torso panel of `layer` (in place) sideways over the old garment left showing on the torso beside it.
 * Returns the number of pixels newly covered.
 */
export function stretchToBodySides(
  layer: GarmentLayer,
  parsing: PersonParsing,
  targets: BodyTargets,
  sleeveless = false,
): number {
  const { width: w, height: h } = layer;
  const { frame } = parsing;
  // The old garment beside the panel: the old top, and for a dress the old bottom too (parsed for dresses only).
  const skirt = oldBottomCloth(parsing);
  const oldBeside = or(parsing.upperClothes, skirt);
  const reachable = sidesToReach(parsing, sleeveless, skirt);
  const sw = frame.shoulderWidth;
  const reach = Math.max(2, Math.round(sw * MAX_REACH_SW));
  const band = Math.max(4, Math.round(sw * BAND_SW));
  const search = Math.round(sw * CENTRE_SEARCH_SW);
  const smoothR = Math.max(2, Math.round(sw * SMOOTH_SW));
  const cov = (p: number) => layer.alpha[p]! > 0.5;
  const shoulderMid = {
    x: (frame.lShoulder.x + frame.rShoulder.x) / 2,
    y: (frame.lShoulder.y + frame.rShoulder.y) / 2,
  };
  const hipMid = { x: (frame.lHip.x + frame.rHip.x) / 2, y: (frame.lHip.y + frame.rHip.y) / 2 };
  const centreX = (y: number) =>
    shoulderMid.x + ((hipMid.x - shoulderMid.x) * (y - shoulderMid.y)) / Math.max(1, hipMid.y - shoulderMid.y);
  // Below the hips the torso ends, and so does anything to reach for; a dress's skirt is not touched.
  const yEnd = Math.min(h - 1, Math.floor(Math.min(hipMid.y, Math.max(targets.hemLeft.y, targets.hemRight.y))));
  let added = 0;
  const rgbRow = new Float32Array(w * 3);
  const alphaRow = new Float32Array(w);
  const partRow = new Uint8Array(w);
  for (const [side, armpitY] of [
    [-1, targets.armpitLeft.y],
    [1, targets.armpitRight.y],
  ] as const) {
    const yStart = Math.max(0, Math.ceil(armpitY));
    if (yStart > yEnd) continue;
    const rows = yEnd - yStart + 1;
    const edge = new Int32Array(rows).fill(-1);
    const ext = new Float32Array(rows);
    for (let i = 0; i < rows; i++) {
      const y = yStart + i;
      const row = y * w;
      // The panel's edge: from the centre line outward to the first covered pixel (an open front leaves the middle
      // bare), then along the covered run to its end.
      let x = Math.round(centreX(y));
      let k = 0;
      while (k <= search && x + side * k >= 0 && x + side * k < w && !cov(row + x + side * k)) k++;
      if (k > search) continue;
      x += side * k;
      let last = x;
      for (let gap = 0; x >= 0 && x < w && gap <= RUN_GAP; x += side) {
        if (cov(row + x)) {
          last = x;
          gap = 0;
        } else gap++;
      }
      edge[i] = last;
      // How far the old garment lies on the torso beyond it.
      let e = 0;
      let miss = 0;
      for (let d = 1; d <= reach; d++) {
        const xx = last + side * d;
        if (xx < 0 || xx >= w) break;
        const p = row + xx;
        if (cov(p)) break;
        if (reachable.data[p] && oldBeside.data[p]) {
          e = d;
          miss = 0;
        } else if (++miss > RUN_GAP) break;
      }
      ext[i] = e;
    }
    const smooth = smoothRows(ext, smoothR);
    for (let i = 0; i < rows; i++) {
      const e = smooth[i]!;
      const x1 = edge[i]!;
      if (x1 < 0 || e < 0.5) continue;
      const row = (yStart + i) * w;
      // Stretch [x0, x1] (the outer band) onto [x0, x1 + e]: sample the row as it was.
      const x0 = Math.max(0, Math.min(w - 1, x1 - side * band));
      const span = Math.abs(x1 - x0);
      if (span < 2) continue;
      const lo = Math.min(x0, x1);
      const hi = Math.max(x0, x1);
      for (let x = lo; x <= hi; x++) {
        alphaRow[x] = layer.alpha[row + x]!;
        partRow[x] = layer.part[row + x]!;
        for (let c = 0; c < 3; c++) rgbRow[x * 3 + c] = layer.rgb[(row + x) * 3 + c]!;
      }
      const reachPx = Math.round(e);
      const xEnd = Math.max(0, Math.min(w - 1, x1 + side * reachPx));
      const total = Math.abs(xEnd - x0);
      for (let d = 0; d <= total; d++) {
        const x = x0 + side * d;
        // Source position d·span/total from x0 towards x1; interpolate between its two neighbours on that line.
        const s = (d * span) / total;
        const si = Math.floor(s);
        const f = s - si;
        const ua = x0 + side * si;
        const ub = Math.max(lo, Math.min(hi, ua + side));
        const p = row + x;
        if (!cov(p)) added++;
        layer.alpha[p] = alphaRow[ua]! * (1 - f) + alphaRow[ub]! * f;
        layer.part[p] = partRow[f < 0.5 ? ua : ub]!;
        for (let c = 0; c < 3; c++) layer.rgb[p * 3 + c] = rgbRow[ua * 3 + c]! * (1 - f) + rgbRow[ub * 3 + c]! * f;
      }
    }
  }
  return added;
}
