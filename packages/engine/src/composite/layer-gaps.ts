/**
 * The warped garment layer completed before it is clipped: its panel stretched to the torso's sides (sides.ts), the
 * slits between separately warped parts closed, and a bottom continued over the old bottom left beside it.
 */
import type { PersonParsing } from '../body/parsing.js';
import type { BodyTargets } from '../fit/targets.js';
import type { GarmentLayer } from '../fit/warp.js';
import type { GarmentAnalysis } from '../garment/analyze.js';
import { emptyMask, maskBounds } from '../raster/mask.js';
import { close } from '../raster/morphology.js';
import { stretchToBodySides } from './sides.js';

/** The widest slit closed between a sleeve and the panel (or between trouser legs), in shoulder widths. */
const SLEEVE_GAP_SW = 0.08;
/** How far sideways a bottom is continued over the old bottom left showing beside it (a third of the shoulders). */
const OLD_BOTTOM_REACH_SW = 0.33;

export function completeLayer(
  layer: GarmentLayer,
  parsing: PersonParsing,
  garment: GarmentAnalysis,
  targets: BodyTargets,
): void {
  const sw = parsing.frame.shoulderWidth;
  // A top's or a dress's panel reaches the torso's sides where the old garment shows beside it (sides.ts).
  if (garment.cls.category !== 'lower') stretchToBodySides(layer, parsing, targets, garment.cls.sleeve === 'none');
  // Trousers' two legs are warped separately too: the same closing shuts the slit between them where the thighs
  // touch (the real gap between the legs is background and stays open).
  if (garment.cls.sleeve !== 'none' || garment.bottom?.crotch) closeSleeveGaps(layer, parsing, sw);
  if (garment.cls.category === 'lower') {
    const hemY = garment.bottom?.crotch ? Math.max(targets.hemLeft.y, targets.hemRight.y) : targets.hemCenter.y;
    extendOverOldLower(layer, parsing, Math.min(targets.shoulderLeft.y, targets.shoulderRight.y), hemY, sw);
  }
}

/**
 * Closes the slits between a sleeve and the torso panel. The sleeves and the torso are warped separately and meet
 * only along the armhole; where the arm hangs close to the body, or the flat-lay's folded sleeve is narrower than
 * the arm, a strip of arm or of the old garment stays visible between them and reads as a hole in the garment (the
 * cardigan's armpit gaps). Pixels that a closing of the garment's coverage adds, on the body and off the head and
 * neck, get the garment's colour interpolated along the row from the nearest covered pixels on either side (the
 * gaps are near-vertical slits). Real space between an arm and the body is background and is clipped later.
 */
function closeSleeveGaps(layer: GarmentLayer, parsing: PersonParsing, sw: number): void {
  const { width: w, height: h } = layer;
  const cov = emptyMask(w, h);
  for (let p = 0; p < w * h; p++) cov.data[p] = layer.alpha[p]! > 0.5 ? 1 : 0;
  const r = Math.max(3, Math.round(sw * SLEEVE_GAP_SW));
  const closed = close(cov, r);
  const { person, head, neck } = parsing;
  const b = maskBounds(closed);
  if (!b) return;
  for (let y = b[1]; y <= b[3]; y++) {
    for (let x = b[0]; x <= b[2]; x++) {
      const p = y * w + x;
      if (!closed.data[p] || cov.data[p] || !person.data[p] || head.data[p] || neck.data[p]) continue;
      let xl = x - 1;
      while (xl >= 0 && x - xl <= 2 * r && !cov.data[y * w + xl]) xl--;
      let xr = x + 1;
      while (xr < w && xr - x <= 2 * r && !cov.data[y * w + xr]) xr++;
      const okL = xl >= 0 && x - xl <= 2 * r;
      const okR = xr < w && xr - x <= 2 * r;
      if (!okL && !okR) continue;
      // Two pixels in from each side: the outermost covered pixel is often the flat-lay's pale anti-aliased rim.
      const ql = okL ? y * w + Math.max(0, xl - 2) : -1;
      const qr = okR ? y * w + Math.min(w - 1, xr + 2) : -1;
      const wl = okL ? (okR ? (xr - x) / (xr - xl) : 1) : 0;
      for (let c = 0; c < 3; c++) {
        const vl = ql >= 0 ? layer.rgb[ql * 3 + c]! : 0;
        const vr = qr >= 0 ? layer.rgb[qr * 3 + c]! : 0;
        layer.rgb[p * 3 + c] = vl * wl + vr * (1 - wl);
      }
      layer.alpha[p] = 1;
      layer.part[p] = 1;
    }
  }
}

/**
 * A bottom's residue: the current lower garment left showing beside the new one (the flat-lay's leg is narrower
 * than the thigh it goes over, or the hip flares past the waistband's line). The body there was clothed and the new
 * bottom clothes it too, so rather than guess skin for a whole strip of thigh, the new garment is continued sideways
 * over it: each such pixel takes the colour of the nearest covered pixel on its row (two pixels in, past the
 * anti-aliased rim), within a third of the shoulder width. Arms and hands stay out.
 */
function extendOverOldLower(layer: GarmentLayer, parsing: PersonParsing, y0: number, y1: number, sw: number): void {
  const { width: w, height: h } = layer;
  const reach = Math.max(4, Math.round(sw * OLD_BOTTOM_REACH_SW));
  const { person, lowerClothes } = parsing;
  const arms = [parsing.armLeft.data, parsing.armRight.data, parsing.forearmLeft.data, parsing.forearmRight.data];
  const cov = (q: number) => layer.alpha[q]! > 0.5;
  for (let y = Math.max(0, Math.ceil(y0)); y <= Math.min(h - 1, Math.floor(y1)); y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const p = row + x;
      if (cov(p) || !lowerClothes.data[p] || !person.data[p] || arms.some((m) => m[p])) continue;
      let q = -1;
      for (let d = 1; d <= reach && q < 0; d++) {
        if (x - d >= 0 && cov(row + x - d)) q = row + Math.max(0, x - d - 2);
        else if (x + d < w && cov(row + x + d)) q = row + Math.min(w - 1, x + d + 2);
      }
      if (q < 0 || !cov(q)) continue;
      for (let c = 0; c < 3; c++) layer.rgb[p * 3 + c] = layer.rgb[q * 3 + c]!;
      layer.alpha[p] = 1;
      layer.part[p] = layer.part[q]!;
    }
  }
}
