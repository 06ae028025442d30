/** The garment's coverage softened: occluders' edges blurred, and its own edge feathered by 1–2 px. */
import { gaussBlur } from '../raster/blur.js';
import type { BinaryMask, Box } from '../raster/mask.js';

/** Sigma of the occluders' soft edge. */
const OCCLUDER_SIGMA = 0.8;
/** Sigma of the garment edge's feather. */
const FEATHER_SIGMA = 0.7;
/** The feathered coverage is boosted by this before it is capped by the drawn one: the inside stays opaque. */
const FEATHER_GAIN = 1.15;

/** Crops a plane to a window (x0, y0, width cw, height chh). */
function cropPlane(src: ArrayLike<number>, w: number, x0: number, y0: number, cw: number, chh: number): Float32Array {
  const out = new Float32Array(cw * chh);
  for (let y = 0; y < chh; y++) {
    const row = (y + y0) * w + x0;
    for (let x = 0; x < cw; x++) out[y * cw + x] = src[row + x]!;
  }
  return out;
}

/**
 * Takes the occluders out of `alpha` (with a soft edge) and feathers what is left, inside `roi` only. Both are tiny
 * blurs; coverage never grows beyond where the garment was drawn.
 */
export function featherAlpha(alpha: Float32Array, front: BinaryMask, w: number, [rx0, ry0, rx1, ry1]: Box): void {
  const cw = rx1 - rx0 + 1;
  const chh = ry1 - ry0 + 1;
  const frontSoft = gaussBlur(cropPlane(front.data, w, rx0, ry0, cw, chh), cw, chh, OCCLUDER_SIGMA);
  const alphaC = new Float32Array(cw * chh);
  for (let y = 0; y < chh; y++) {
    for (let x = 0; x < cw; x++) {
      const p = (y + ry0) * w + x + rx0;
      const i = y * cw + x;
      alphaC[i] = alpha[p]! * (1 - Math.min(1, front.data[p] ? 1 : frontSoft[i]!));
    }
  }
  const feathered = gaussBlur(alphaC, cw, chh, FEATHER_SIGMA);
  for (let y = 0; y < chh; y++) {
    for (let x = 0; x < cw; x++) {
      const i = y * cw + x;
      alpha[(y + ry0) * w + x + rx0] = Math.min(alphaC[i]!, feathered[i]! * FEATHER_GAIN);
    }
  }
}
