/**
 * Skin fill by membrane interpolation. Where an old garment is left uncovered by the new one (the chest beside a
 * one-shoulder neckline, a V-neck deeper than the old top's, a midriff), the body under it is filled with skin. A
 * smooth average of the nearby skin is a flat patch whose edge shows against the real skin it borders (the neck just
 * above an old crew neck is lit differently from the arms that dominate an average). A membrane (Laplace) fill takes
 * the real skin's colour exactly on the border and blends smoothly between borders, so the fill continues the
 * person's own skin shading from every side it touches. Solved on a coarse grid (cells of `f` px) by over-relaxed
 * Gauss–Seidel: the fill is low-frequency by nature and ~3 k cells converge in a few hundred sweeps (≈ 2–5 ms).
 */

import type { LowResField } from '../raster/blur.js';
import type { RawImage } from '../vision/types.js';

const FIXED = 1;
const FREE = 2;

/**
 * `fill`: pixels to fill (1); `source`: real skin pixels to take the border colour from (1); `win`: inclusive window
 * [x0, y0, x1, y1] holding both. Returns three fields (R, G, B), NaN where neither filled nor fixed, or null when
 * the fill touches no real skin (nothing to continue from).
 */
export function membraneFill(
  img: RawImage,
  fill: Uint8Array,
  source: Uint8Array,
  win: readonly [number, number, number, number],
  f: number,
): LowResField[] | null {
  const { width: w, channels: ch, data } = img;
  const ox = Math.floor(win[0] / f) * f;
  const oy = Math.floor(win[1] / f) * f;
  const gw = Math.max(1, Math.ceil((win[2] + 1 - ox) / f));
  const gh = Math.max(1, Math.ceil((win[3] + 1 - oy) / f));
  const cells = gw * gh;
  const kind = new Uint8Array(cells);
  const sum = [new Float32Array(cells), new Float32Array(cells), new Float32Array(cells)];
  const nSrc = new Float32Array(cells);
  const nFill = new Float32Array(cells);
  for (let y = oy; y < Math.min(img.height, oy + gh * f); y++) {
    const row = ((y - oy) / f) | 0;
    for (let x = ox; x < Math.min(w, ox + gw * f); x++) {
      const c = row * gw + (((x - ox) / f) | 0);
      const p = y * w + x;
      if (fill[p]) nFill[c]!++;
      else if (source[p]) {
        nSrc[c]!++;
        sum[0]![c]! += data[p * ch]!;
        sum[1]![c]! += data[p * ch + 1]!;
        sum[2]![c]! += data[p * ch + 2]!;
      }
    }
  }
  const val = [new Float32Array(cells), new Float32Array(cells), new Float32Array(cells)];
  let nFixed = 0;
  let meanR = 0;
  let meanG = 0;
  let meanB = 0;
  for (let c = 0; c < cells; c++) {
    // A cell is border skin when at least a quarter of it is real skin; a cell with fill pixels and little skin is
    // solved for.
    if (nSrc[c]! >= (f * f) / 4) {
      kind[c] = FIXED;
      for (let k = 0; k < 3; k++) val[k]![c] = sum[k]![c]! / nSrc[c]!;
      meanR += val[0]![c]!;
      meanG += val[1]![c]!;
      meanB += val[2]![c]!;
      nFixed++;
    } else if (nFill[c]! > 0) kind[c] = FREE;
  }
  if (nFixed === 0) return null;
  // Only fixed cells adjacent to a free cell matter as borders, but every fixed cell is a valid boundary value.
  let touches = false;
  for (let c = 0; c < cells && !touches; c++) {
    if (kind[c] !== FREE) continue;
    const x = c % gw;
    if ((x > 0 && kind[c - 1] === FIXED) || (x < gw - 1 && kind[c + 1] === FIXED)) touches = true;
    if ((c >= gw && kind[c - gw] === FIXED) || (c + gw < cells && kind[c + gw] === FIXED)) touches = true;
  }
  if (!touches) return null;
  const init = [meanR / nFixed, meanG / nFixed, meanB / nFixed];
  const free: number[] = [];
  for (let c = 0; c < cells; c++) {
    if (kind[c] !== FREE) continue;
    free.push(c);
    for (let k = 0; k < 3; k++) val[k]![c] = init[k]!;
  }
  // Free cells with no path to a fixed one keep the mean (Neumann elsewhere: neighbours that are neither are skipped).
  const omega = 1.85;
  const sweeps = Math.min(600, 60 + 4 * Math.max(gw, gh));
  for (let it = 0; it < sweeps; it++) {
    for (const c of free) {
      const x = c % gw;
      let n = 0;
      let r = 0;
      let g = 0;
      let b = 0;
      const take = (q: number) => {
        if (!kind[q]) return;
        r += val[0]![q]!;
        g += val[1]![q]!;
        b += val[2]![q]!;
        n++;
      };
      if (x > 0) take(c - 1);
      if (x < gw - 1) take(c + 1);
      if (c >= gw) take(c - gw);
      if (c + gw < cells) take(c + gw);
      if (n === 0) continue;
      val[0]![c] = val[0]![c]! + omega * (r / n - val[0]![c]!);
      val[1]![c] = val[1]![c]! + omega * (g / n - val[1]![c]!);
      val[2]![c] = val[2]![c]! + omega * (b / n - val[2]![c]!);
    }
  }
  // Bilinear sampling near the fill's edge reads neighbouring cells that are neither (covered by the new garment,
  // background): extend the solution into them by a few cells so that no NaN reaches a fill pixel.
  const ok = new Uint8Array(cells);
  for (let c = 0; c < cells; c++) ok[c] = kind[c] ? 1 : 0;
  for (let pass = 0; pass < 3; pass++) {
    const next = new Uint8Array(ok);
    for (let c = 0; c < cells; c++) {
      if (ok[c]) continue;
      const x = c % gw;
      let n = 0;
      const acc = [0, 0, 0];
      for (const q of [x > 0 ? c - 1 : -1, x < gw - 1 ? c + 1 : -1, c - gw, c + gw]) {
        if (q < 0 || q >= cells || !ok[q]) continue;
        for (let k = 0; k < 3; k++) acc[k]! += val[k]![q]!;
        n++;
      }
      if (n === 0) continue;
      for (let k = 0; k < 3; k++) val[k]![c] = acc[k]! / n;
      next[c] = 1;
    }
    ok.set(next);
  }
  return val.map((v) => {
    const out = new Float32Array(cells);
    for (let c = 0; c < cells; c++) out[c] = ok[c] ? v[c]! : Number.NaN;
    return { data: out, w: gw, h: gh, f, ox, oy };
  });
}
