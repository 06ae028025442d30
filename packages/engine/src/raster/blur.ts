/**
 * Separable blurs of float planes, and masked blurs kept as smooth low-resolution fields sampled where needed
 * (fill colours, shading).
 */
import type { RawImage } from '../vision/types.js';
import type { Box } from './mask.js';

/**
 * Separable box blur of a float plane, radius r (window 2r+1), edges clamped. Two passes ≈ a tent, three ≈ Gaussian.
 * Both passes walk memory in row order (the vertical one keeps one running sum per column), which is what makes it
 * fast on 768×1024 planes: a column-by-column walk misses the cache on every pixel.
 */
export function boxBlur(src: Float32Array, w: number, h: number, r: number): Float32Array {
  if (r < 1) return src.slice();
  const tmp = new Float32Array(w * h);
  const out = new Float32Array(w * h);
  const inv = 1 / (2 * r + 1);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let acc = 0;
    for (let k = -r; k <= r; k++) acc += src[row + Math.min(w - 1, Math.max(0, k))]!;
    for (let x = 0; x < w; x++) {
      tmp[row + x] = acc * inv;
      acc += src[row + Math.min(w - 1, x + r + 1)]! - src[row + Math.max(0, x - r)]!;
    }
  }
  const acc = new Float64Array(w);
  for (let k = -r; k <= r; k++) {
    const row = Math.min(h - 1, Math.max(0, k)) * w;
    for (let x = 0; x < w; x++) acc[x]! += tmp[row + x]!;
  }
  for (let y = 0; y < h; y++) {
    const row = y * w;
    const add = Math.min(h - 1, y + r + 1) * w;
    const sub = Math.max(0, y - r) * w;
    for (let x = 0; x < w; x++) {
      out[row + x] = acc[x]! * inv;
      acc[x]! += tmp[add + x]! - tmp[sub + x]!;
    }
  }
  return out;
}

/** Local standard deviation of a plane over (2r+1)² windows, edges clamped: E[v²] − E[v]² from two box blurs. */
export function localStdDev(src: Float32Array, w: number, h: number, r: number): Float32Array {
  const mean = boxBlur(src, w, h, r);
  const meanSq = boxBlur(
    src.map((v) => v * v),
    w,
    h,
    r,
  );
  return mean.map((m, i) => Math.sqrt(Math.max(0, meanSq[i]! - m * m)));
}

/** Approximate Gaussian blur (three box passes). */
export function gaussBlur(src: Float32Array, w: number, h: number, sigma: number): Float32Array {
  // Three box filters of radius r have variance 3·((2r+1)²−1)/12 = r(r+1); pick r so that this matches sigma².
  const r = Math.max(1, Math.round((Math.sqrt(4 * sigma * sigma + 1) - 1) / 2));
  return boxBlur(boxBlur(boxBlur(src, w, h, r), w, h, r), w, h, r);
}

/**
 * Box-averages a plane down by an integer factor (partial edge cells average what they hold); with `weight`, the
 * plane is multiplied by it on the way (value·weight, as a masked blur needs) without a full-size temporary.
 */
export function downsample(
  src: Float32Array,
  w: number,
  h: number,
  f: number,
  weight?: Float32Array,
): { data: Float32Array; w: number; h: number } {
  const sw = Math.ceil(w / f);
  const sh = Math.ceil(h / f);
  const sum = new Float32Array(sw * sh);
  const cnt = new Float32Array(sw * sh);
  const cellX = new Int32Array(w);
  for (let x = 0; x < w; x++) cellX[x] = (x / f) | 0;
  for (let y = 0; y < h; y++) {
    const sy = ((y / f) | 0) * sw;
    const row = y * w;
    if (weight) {
      for (let x = 0; x < w; x++) sum[sy + cellX[x]!]! += src[row + x]! * weight[row + x]!;
    } else {
      for (let x = 0; x < w; x++) sum[sy + cellX[x]!]! += src[row + x]!;
    }
    for (let x = 0; x < w; x++) cnt[sy + cellX[x]!]! += 1;
  }
  for (let i = 0; i < sum.length; i++) sum[i] = sum[i]! / cnt[i]!;
  return { data: sum, w: sw, h: sh };
}

/**
 * A smooth field kept at low resolution (cell centres at (i + 0.5)·f − 0.5 + origin), sampled bilinearly where
 * needed. `ox`, `oy`: full-resolution position of the grid's first cell corner (0 for a whole-frame field).
 */
export interface LowResField {
  data: Float32Array;
  w: number;
  h: number;
  f: number;
  ox?: number;
  oy?: number;
}

/** Bilinear sample of a low-resolution field at full-resolution pixel (x, y). NaN cells propagate. */
export function sampleField(fl: LowResField, x: number, y: number): number {
  const u = Math.min(fl.w - 1, Math.max(0, (x - (fl.ox ?? 0) + 0.5) / fl.f - 0.5));
  const v = Math.min(fl.h - 1, Math.max(0, (y - (fl.oy ?? 0) + 0.5) / fl.f - 0.5));
  const i = Math.min(fl.w - 2, Math.floor(u));
  const j = Math.min(fl.h - 2, Math.floor(v));
  if (i < 0 || j < 0) return fl.data[Math.max(0, j) * fl.w + Math.max(0, i)]!;
  const fx = u - i;
  const fy = v - j;
  const d = fl.data;
  const r0 = j * fl.w + i;
  const r1 = r0 + fl.w;
  const a = d[r0]! + (d[r0 + 1]! - d[r0]!) * fx;
  const b = d[r1]! + (d[r1 + 1]! - d[r1]!) * fx;
  return a + (b - a) * fy;
}

/**
 * Masked Gaussian blur (blur(value·weight) / blur(weight)) of several planes sharing one weight, evaluated at low
 * resolution: the planes are box-averaged down by f ≈ sigma/2 (at least 1), blurred there with the remaining sigma,
 * and divided. Cells whose blurred weight is ~0 are NaN ("no evidence here"). The weight is blurred once for all
 * planes. Use for statistics that vary slowly (fill colours, shading): they are then sampled only where needed.
 */
export function maskedBlurLow(
  values: Float32Array[],
  weight: Float32Array,
  w: number,
  h: number,
  sigma: number,
): LowResField[] {
  const f = Math.max(1, Math.floor(sigma / 2));
  const s = Math.sqrt(Math.max(0.25, sigma * sigma - (f * f - 1) / 12)) / f;
  const wSmall = downsample(weight, w, h, f);
  const wb = gaussBlur(wSmall.data, wSmall.w, wSmall.h, s);
  const result: LowResField[] = [];
  for (const v of values) {
    const small = downsample(v, w, h, f, weight);
    const vb = gaussBlur(small.data, small.w, small.h, s);
    const out = new Float32Array(vb.length);
    for (let i = 0; i < out.length; i++) out[i] = wb[i]! > 1e-4 ? vb[i]! / wb[i]! : Number.NaN;
    result.push({ data: out, w: small.w, h: small.h, f });
  }
  return result;
}

/**
 * {@link maskedBlurLow} of an image's colour (`rgb`: three fields) or luma (`luma`: one field), or of the weight
 * itself (`presence`: its plain low-resolution blur, like {@link blurLow}), evaluated only inside `win` (inclusive
 * x0, y0, x1, y1; callers pad it by ~3 sigma around where they will sample). The cells are accumulated straight
 * from the image bytes and the 0/1 weight mask, on the same cell grid a whole-frame field would use, so no
 * full-frame float plane is built: the composite samples these fields inside the garment's window only, and
 * building five whole-frame planes and fields cost ~100 ms per try-on.
 */
export function windowFieldsLow(
  img: RawImage,
  weight: Uint8Array,
  win: readonly [number, number, number, number],
  sigma: number,
  mode: 'rgb' | 'luma' | 'presence',
): LowResField[] {
  const { width: w, height: h, channels: ch, data } = img;
  const f = Math.max(1, Math.floor(sigma / 2));
  const s = Math.sqrt(Math.max(0.25, sigma * sigma - (f * f - 1) / 12)) / f;
  // Align the window to the whole-frame cell grid so that every cell holds the pixels it would hold there.
  const gx0 = Math.floor(Math.max(0, win[0]) / f) * f;
  const gy0 = Math.floor(Math.max(0, win[1]) / f) * f;
  const gx1 = Math.min(w, (Math.floor(Math.min(w - 1, win[2]) / f) + 1) * f); // exclusive
  const gy1 = Math.min(h, (Math.floor(Math.min(h - 1, win[3]) / f) + 1) * f);
  const cw = Math.max(1, Math.ceil((gx1 - gx0) / f));
  const chh = Math.max(1, Math.ceil((gy1 - gy0) / f));
  const cells = cw * chh;
  const nv = mode === 'rgb' ? 3 : mode === 'luma' ? 1 : 0;
  const sums = Array.from({ length: nv }, () => new Float32Array(cells));
  const wsum = new Float32Array(cells);
  const cnt = new Float32Array(cells);
  for (let y = gy0; y < gy1; y++) {
    const cy = (((y - gy0) / f) | 0) * cw;
    for (let x = gx0; x < gx1; x++) {
      const c = cy + (((x - gx0) / f) | 0);
      cnt[c]! += 1;
      const p = y * w + x;
      if (!weight[p]) continue;
      wsum[c]! += 1;
      if (nv === 0) continue;
      const q = p * ch;
      if (nv === 3) {
        sums[0]![c]! += data[q]!;
        sums[1]![c]! += data[q + 1]!;
        sums[2]![c]! += data[q + 2]!;
      } else sums[0]![c]! += 0.299 * data[q]! + 0.587 * data[q + 1]! + 0.114 * data[q + 2]!;
    }
  }
  for (let i = 0; i < cells; i++) {
    const k = 1 / cnt[i]!;
    wsum[i]! *= k;
    for (const plane of sums) plane[i]! *= k;
  }
  const wb = gaussBlur(wsum, cw, chh, s);
  if (nv === 0) return [{ data: wb, w: cw, h: chh, f, ox: gx0, oy: gy0 }];
  return sums.map((plane) => {
    const vb = gaussBlur(plane, cw, chh, s);
    const out = new Float32Array(cells);
    for (let i = 0; i < cells; i++) out[i] = wb[i]! > 1e-4 ? vb[i]! / wb[i]! : Number.NaN;
    return { data: out, w: cw, h: chh, f, ox: gx0, oy: gy0 };
  });
}

/** Low-resolution Gaussian blur of one plane (see {@link maskedBlurLow}). */
export function blurLow(v: Float32Array, w: number, h: number, sigma: number): LowResField {
  const f = Math.max(1, Math.floor(sigma / 2));
  const s = Math.sqrt(Math.max(0.25, sigma * sigma - (f * f - 1) / 12)) / f;
  const small = downsample(v, w, h, f);
  return { data: gaussBlur(small.data, small.w, small.h, s), w: small.w, h: small.h, f };
}

/**
 * The window a smooth field must be computed on to be sampled anywhere inside `box`: grown by three of its sigmas
 * (beyond that a pixel's weight in the Gaussian is negligible).
 */
export function padBox([x0, y0, x1, y1]: Box, sigma: number): Box {
  const pad = Math.ceil(3 * sigma);
  return [x0 - pad, y0 - pad, x1 + pad, y1 + pad];
}
