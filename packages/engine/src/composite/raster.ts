/**
 * Small raster toolkit on typed arrays: decoding through sharp, binary-mask morphology through an exact Euclidean
 * distance transform, connected components, separable blurs and colour conversions. Everything the garment,
 * composite and quality stages share lives here so that no stage needs another image library.
 */
import sharp from 'sharp';
import type { Mask, RawImage } from '../vision/types.js';

/** A binary mask: 1 = inside, 0 = outside. Same layout as {@link Mask} but with values 0/1. */
export interface BinaryMask {
  data: Uint8Array;
  width: number;
  height: number;
}

export async function encodePng(img: RawImage): Promise<Uint8Array> {
  const buf = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } })
    .png({ compressionLevel: 6 })
    .toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}

export function emptyMask(width: number, height: number): BinaryMask {
  return { data: new Uint8Array(width * height), width, height };
}

export function countMask(m: BinaryMask | Mask, threshold = 1): number {
  let n = 0;
  for (let i = 0; i < m.data.length; i++) if (m.data[i]! >= threshold) n++;
  return n;
}

/** Binarises a soft mask at `threshold` (inclusive). */
export function binarize(m: Mask, threshold = 128): BinaryMask {
  const md = m.data;
  const out = new Uint8Array(md.length);
  for (let i = 0; i < out.length; i++) out[i] = md[i]! >= threshold ? 1 : 0;
  return { data: out, width: m.width, height: m.height };
}

// Felzenszwalb & Huttenlocher's exact squared Euclidean distance transform along one line.
function edt1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = Number.NEGATIVE_INFINITY;
  z[1] = Number.POSITIVE_INFINITY;
  for (let q = 1; q < n; q++) {
    let s = (f[q]! + q * q - (f[v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
    while (s <= z[k]!) {
      k--;
      s = (f[q]! + q * q - (f[v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Number.POSITIVE_INFINITY;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1]! < q) k++;
    d[q] = (q - v[k]!) * (q - v[k]!) + f[v[k]!]!;
  }
}

/** Squared Euclidean distance from every pixel to the nearest pixel where `m` is set (0 on set pixels). */
export function distanceToSet(m: BinaryMask): Float32Array {
  const { width: w, height: h } = m;
  const INF = 1e20;
  const n = Math.max(w, h);
  const f = new Float64Array(n);
  const d = new Float64Array(n);
  const v = new Int32Array(n);
  const z = new Float64Array(n + 1);
  const tmp = new Float64Array(w * h);
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) f[y] = m.data[y * w + x] ? 0 : INF;
    edt1d(f, h, d, v, z);
    for (let y = 0; y < h; y++) tmp[y * w + x] = d[y]!;
  }
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) f[x] = tmp[y * w + x]!;
    edt1d(f, w, d, v, z);
    for (let x = 0; x < w; x++) out[y * w + x] = d[x]!;
  }
  return out;
}

/**
 * Bounding box of the set pixels, grown by `pad` and clamped to the frame; null when nothing is set. Morphology and
 * blurs of sparse masks only need to touch this window.
 */
export function maskBounds(m: BinaryMask, pad = 0): [number, number, number, number] | null {
  const { width: w, height: h, data } = m;
  let x0 = w;
  let x1 = -1;
  let y0 = h;
  let y1 = -1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let a = -1;
    for (let x = 0; x < w; x++) {
      if (data[row + x]) {
        a = x;
        break;
      }
    }
    if (a < 0) continue;
    let b = a;
    for (let x = w - 1; x > a; x--) {
      if (data[row + x]) {
        b = x;
        break;
      }
    }
    if (a < x0) x0 = a;
    if (b > x1) x1 = b;
    if (y < y0) y0 = y;
    y1 = y;
  }
  if (x1 < 0) return null;
  return [Math.max(0, x0 - pad), Math.max(0, y0 - pad), Math.min(w - 1, x1 + pad), Math.min(h - 1, y1 + pad)];
}

/**
 * Disk dilation by `r` pixels: a pixel is set when some set pixel lies within Euclidean distance r (d² ≤ r², the
 * same disk as the distance-transform definition). Computed in two separable steps: the horizontal distance g to the
 * nearest set pixel in each row (two linear scans), then for each pixel the minimum of g(y')² + (y−y')² over the
 * 2r+1 rows around it, with an early exit. That is O(N·r) with tiny constants, ~10× faster than the exact distance
 * transform for the radii the engine uses (1–20 px), and it only scans the set pixels' bounding box grown by r.
 */
export function dilate(m: BinaryMask, r: number): BinaryMask {
  if (r <= 0) return { ...m, data: m.data.slice() };
  if (r > 60) return dilateExact(m, r);
  return withinDisk(m, r, 1).mask;
}

/**
 * The pixels (inside the set pixels' bounding box grown by r; 0 elsewhere) that have a pixel of value `of` within
 * distance r — `of = 1` is a dilation, `of = 0` the complement of an erosion. Two steps: per row, the squared
 * horizontal distance to the nearest `of` pixel (capped at r); then per column, the nearest rows first.
 */
function withinDisk(m: BinaryMask, r: number, of: 0 | 1): { mask: BinaryMask; bounds: ReturnType<typeof maskBounds> } {
  const { width: w, height: h, data } = m;
  const out = new Uint8Array(w * h);
  const ri = Math.floor(r);
  const b = maskBounds(m, ri);
  if (!b) return { mask: { data: out, width: w, height: h }, bounds: b };
  const [bx0, by0, bx1, by1] = b;
  const bw = bx1 - bx0 + 1;
  const bh = by1 - by0 + 1;
  const BIG = 30000;
  // g: squared horizontal distance to the nearest `of` pixel in the same row (capped), inside the window.
  const g = new Int32Array(bw * bh);
  for (let y = 0; y < bh; y++) {
    const row = (y + by0) * w + bx0;
    const o = y * bw;
    let last = -BIG;
    for (let x = 0; x < bw; x++) {
      if ((data[row + x] ? 1 : 0) === of) last = x;
      g[o + x] = x - last;
    }
    last = BIG * 2;
    for (let x = bw - 1; x >= 0; x--) {
      if ((data[row + x] ? 1 : 0) === of) last = x;
      const d = Math.min(g[o + x]!, last - x);
      g[o + x] = d > ri ? BIG : d * d;
    }
  }
  const r2 = r * r;
  for (let y = 0; y < bh; y++) {
    const ya = Math.max(0, y - ri);
    const yb = Math.min(bh - 1, y + ri);
    const orow = (y + by0) * w + bx0;
    for (let x = 0; x < bw; x++) {
      // Nearest rows first: most hits are found at dy = 0.
      if (g[y * bw + x]! <= r2) {
        out[orow + x] = 1;
        continue;
      }
      for (let k = 1; k <= ri; k++) {
        const k2 = k * k;
        if (k2 > r2) break;
        if ((y - k >= ya && g[(y - k) * bw + x]! + k2 <= r2) || (y + k <= yb && g[(y + k) * bw + x]! + k2 <= r2)) {
          out[orow + x] = 1;
          break;
        }
      }
    }
  }
  return { mask: { data: out, width: w, height: h }, bounds: b };
}

/** Disk dilation through the exact distance transform (large radii). */
function dilateExact(m: BinaryMask, r: number): BinaryMask {
  const d = distanceToSet(m);
  const r2 = r * r;
  const out = new Uint8Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = d[i]! <= r2 ? 1 : 0;
  return { data: out, width: m.width, height: m.height };
}

/**
 * Dilation (or erosion) by a (2r+1)² square: separable, a running count per row then per column, O(N) whatever r.
 * Used where the exact shape of the structuring element does not matter (a band around a contour). Erosion keeps the
 * frame border from eroding, like {@link erode}.
 */
export function squareMorph(m: BinaryMask, r: number, op: 'dilate' | 'erode'): BinaryMask {
  const { width: w, height: h, data } = m;
  const ri = Math.max(0, Math.round(r));
  const want = op === 'dilate' ? 1 : 0;
  // hit = 1 where the window holds at least one pixel equal to `want` (a set pixel for dilation, an unset one for
  // erosion); erosion is the complement of that.
  const tmp = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    let cnt = 0;
    for (let x = 0; x <= Math.min(w - 1, ri - 1); x++) if (data[row + x] === want) cnt++;
    for (let x = 0; x < w; x++) {
      if (x + ri < w && data[row + x + ri] === want) cnt++;
      if (x - ri - 1 >= 0 && data[row + x - ri - 1] === want) cnt--;
      tmp[row + x] = cnt > 0 ? 1 : 0;
    }
  }
  const cnt = new Int32Array(w);
  for (let y = 0; y <= Math.min(h - 1, ri - 1); y++) for (let x = 0; x < w; x++) cnt[x]! += tmp[y * w + x]!;
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const add = y + ri < h ? (y + ri) * w : -1;
    const sub = y - ri - 1 >= 0 ? (y - ri - 1) * w : -1;
    const row = y * w;
    for (let x = 0; x < w; x++) {
      if (add >= 0) cnt[x]! += tmp[add + x]!;
      if (sub >= 0) cnt[x]! -= tmp[sub + x]!;
      const hit = cnt[x]! > 0 ? 1 : 0;
      out[row + x] = op === 'dilate' ? hit : hit ^ 1;
    }
  }
  return { data: out, width: w, height: h };
}

export function invert(m: BinaryMask): BinaryMask {
  const md = m.data;
  const out = new Uint8Array(md.length);
  for (let i = 0; i < out.length; i++) out[i] = md[i]! ^ 1;
  return { data: out, width: m.width, height: m.height };
}

/**
 * Disk erosion by `r` pixels: a set pixel stays set when no unset pixel of the frame lies within distance r (the
 * frame border itself does not erode, as with invert∘dilate∘invert). Same two-step scheme as {@link dilate} on the
 * unset pixels, but only inside the set pixels' bounding box grown by r: farther pixels cannot matter.
 */
export function erode(m: BinaryMask, r: number): BinaryMask {
  if (r <= 0) return { ...m, data: m.data.slice() };
  if (r > 60) return invert(dilateExact(invert(m), r));
  // A set pixel survives when no unset pixel lies within r. Outside the grown bounding box nothing is set, so the
  // result there is 0 as withinDisk leaves it; inside, invert its answer.
  const { mask, bounds } = withinDisk(m, r, 0);
  if (!bounds) return mask;
  const [bx0, by0, bx1, by1] = bounds;
  const out = mask.data;
  for (let y = by0; y <= by1; y++) {
    for (let i = y * m.width + bx0, end = y * m.width + bx1; i <= end; i++) out[i] = out[i] ? 0 : 1;
  }
  return mask;
}

export function open(m: BinaryMask, r: number): BinaryMask {
  return dilate(erode(m, r), r);
}

export function close(m: BinaryMask, r: number): BinaryMask {
  return erode(dilate(m, r), r);
}

export function and(a: BinaryMask, b: BinaryMask): BinaryMask {
  const ad = a.data;
  const bd = b.data;
  const out = new Uint8Array(ad.length);
  for (let i = 0; i < out.length; i++) out[i] = ad[i]! & bd[i]!;
  return { data: out, width: a.width, height: a.height };
}

export function or(a: BinaryMask, b: BinaryMask): BinaryMask {
  const ad = a.data;
  const bd = b.data;
  const out = new Uint8Array(ad.length);
  for (let i = 0; i < out.length; i++) out[i] = ad[i]! | bd[i]!;
  return { data: out, width: a.width, height: a.height };
}

export function andNot(a: BinaryMask, b: BinaryMask): BinaryMask {
  const ad = a.data;
  const bd = b.data;
  const out = new Uint8Array(ad.length);
  for (let i = 0; i < out.length; i++) out[i] = ad[i]! & (bd[i]! ^ 1);
  return { data: out, width: a.width, height: a.height };
}

export interface Components {
  /** Label per pixel, 0 = background, 1..count. */
  labels: Int32Array;
  /** Pixel count per label (index 0 unused). */
  sizes: number[];
}

/**
 * Run-length connected-component labelling (8-connected): each row's runs of set pixels are unioned with the runs of
 * the row above that touch them (overlap or diagonal contact), then every run takes its root's label. Work is
 * proportional to the number of runs, not pixels, and nothing of image size is allocated besides the output: the
 * pixel-by-pixel flood fill this replaced cost ~15 ms per 768×1024 mask and was called 3–4 times per try-on.
 * Labels are numbered in raster order of each component's first pixel, as a raster-scan flood fill would.
 */
function labelRuns(m: BinaryMask): { runs: Int32Array; runCount: number; runLabel: Int32Array; sizes: number[] } {
  const { width: w, height: h, data } = m;
  let runs = new Int32Array(3 * 1024); // (y, a, b) triplets, b inclusive
  let parent = new Int32Array(1024);
  let n = 0;
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  let prevStart = 0;
  let prevEnd = 0;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    const curStart = n;
    let k = prevStart;
    let x = 0;
    while (x < w) {
      while (x < w && !data[row + x]) x++;
      if (x >= w) break;
      const a = x;
      while (x < w && data[row + x]) x++;
      const b = x - 1;
      if (n === parent.length) {
        const np = new Int32Array(n * 2);
        np.set(parent);
        parent = np;
        const nr = new Int32Array(n * 6);
        nr.set(runs);
        runs = nr;
      }
      runs[3 * n] = y;
      runs[3 * n + 1] = a;
      runs[3 * n + 2] = b;
      parent[n] = n;
      // Runs of the row above, in x order: skip those ending left of a−1; union those starting at or before b+1.
      while (k < prevEnd && runs[3 * k + 2]! < a - 1) k++;
      for (let j = k; j < prevEnd && runs[3 * j + 1]! <= b + 1; j++) {
        const ra = find(n);
        const rb = find(j);
        if (ra !== rb) {
          // The smaller index becomes the root: its first pixel comes first in raster order.
          if (ra < rb) parent[rb] = ra;
          else parent[ra] = rb;
        }
      }
      n++;
    }
    prevStart = curStart;
    prevEnd = n;
  }
  const runLabel = new Int32Array(n);
  const sizes = [0];
  for (let i = 0; i < n; i++) {
    const r = find(i);
    let l: number;
    if (r === i) {
      l = sizes.length;
      sizes.push(0);
    } else l = runLabel[r]!;
    runLabel[i] = l;
    sizes[l]! += runs[3 * i + 2]! - runs[3 * i + 1]! + 1;
  }
  return { runs, runCount: n, runLabel, sizes };
}

/** 8-connected components of the set pixels. */
export function components(m: BinaryMask): Components {
  const { runs, runCount, runLabel, sizes } = labelRuns(m);
  const labels = new Int32Array(m.width * m.height);
  for (let i = 0; i < runCount; i++) {
    const row = runs[3 * i]! * m.width;
    labels.fill(runLabel[i]!, row + runs[3 * i + 1]!, row + runs[3 * i + 2]! + 1);
  }
  return { labels, sizes };
}

/** The largest 8-connected component (empty mask when there is none). */
export function largestComponent(m: BinaryMask): { mask: BinaryMask; size: number; total: number } {
  const { runs, runCount, runLabel, sizes } = labelRuns(m);
  let best = 0;
  let total = 0;
  for (let i = 1; i < sizes.length; i++) {
    total += sizes[i]!;
    if (best === 0 || sizes[i]! > sizes[best]!) best = i;
  }
  const out = new Uint8Array(m.width * m.height);
  for (let i = 0; i < runCount; i++) {
    if (runLabel[i] !== best) continue;
    const row = runs[3 * i]! * m.width;
    out.fill(1, row + runs[3 * i + 1]!, row + runs[3 * i + 2]! + 1);
  }
  return { mask: { data: out, width: m.width, height: m.height }, size: best > 0 ? sizes[best]! : 0, total };
}

/**
 * Fills holes: background regions not 4-connected to the frame border become set. Flooded inside the set pixels'
 * bounding box grown by one pixel: everything outside that window is background connected to its border.
 */
export function fillHoles(m: BinaryMask): BinaryMask {
  const { width: w, height: h } = m;
  const out = new Uint8Array(w * h);
  const bounds = maskBounds(m, 1);
  if (!bounds) return { data: out, width: w, height: h };
  const [x0, y0, x1, y1] = bounds;
  const outside = new Uint8Array(w * h);
  const stack = new Int32Array((x1 - x0 + 1) * (y1 - y0 + 1));
  let sp = 0;
  const push = (p: number) => {
    if (!m.data[p] && !outside[p]) {
      outside[p] = 1;
      stack[sp++] = p;
    }
  };
  for (let x = x0; x <= x1; x++) {
    push(y0 * w + x);
    push(y1 * w + x);
  }
  for (let y = y0; y <= y1; y++) {
    push(y * w + x0);
    push(y * w + x1);
  }
  while (sp > 0) {
    const p = stack[--sp]!;
    const x = p % w;
    const y = (p - x) / w;
    if (x > x0) push(p - 1);
    if (x < x1) push(p + 1);
    if (y > y0) push(p - w);
    if (y < y1) push(p + w);
  }
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const p = y * w + x;
      out[p] = outside[p] ? 0 : 1;
    }
  }
  return { data: out, width: w, height: h };
}

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

// ---- colour ----

function srgbToLinear(c: number): number {
  const v = c / 255;
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
}

const LIN = new Float64Array(256).map((_, i) => srgbToLinear(i));

/** sRGB bytes → CIE L*a*b* (D65). */
export function rgbToLab(r: number, g: number, b: number): [number, number, number] {
  const lr = LIN[Math.max(0, Math.min(255, Math.round(r)))]!;
  const lg = LIN[Math.max(0, Math.min(255, Math.round(g)))]!;
  const lb = LIN[Math.max(0, Math.min(255, Math.round(b)))]!;
  const x = (0.4124564 * lr + 0.3575761 * lg + 0.1804375 * lb) / 0.95047;
  const y = 0.2126729 * lr + 0.7151522 * lg + 0.072175 * lb;
  const z = (0.0193339 * lr + 0.119192 * lg + 0.9503041 * lb) / 1.08883;
  const fx = labF(x);
  const fy = labF(y);
  const fz = labF(z);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

function labF(t: number): number {
  return t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116;
}

// labF through a table with linear interpolation for the per-pixel planes: three cube roots per pixel were ~15 ms
// per try-on. 4096 steps over [0, 1.1] keep the error below 1e-4 in L*, a* and b* (the curve is smooth above the
// linear toe, and the toe itself is linear).
const LABF_N = 4096;
const LABF_MAX = 1.1;
const LABF = new Float32Array(LABF_N + 2).map((_, i) => labF((i * LABF_MAX) / LABF_N));
function labFFast(t: number): number {
  const u = (t * LABF_N) / LABF_MAX;
  const i = u | 0;
  if (i >= LABF_N) return labF(t);
  const a = LABF[i]!;
  return a + (LABF[i + 1]! - a) * (u - i);
}

/**
 * L*a*b* of every pixel as three planes, computed once per image (the skin test, the region growing and the edge
 * refinement all read it). Only pixels where `where` is set are converted when a mask is given; others stay 0.
 */
export function labPlanes(img: RawImage, where?: BinaryMask): { L: Float32Array; A: Float32Array; B: Float32Array } {
  const { width: w, height: h, channels: ch, data } = img;
  const n = w * h;
  const L = new Float32Array(n);
  const A = new Float32Array(n);
  const B = new Float32Array(n);
  const b: readonly [number, number, number, number] | null = where ? maskBounds(where) : [0, 0, w - 1, h - 1];
  const first = b ? b[1] * w + b[0] : 0;
  const last = b ? b[3] * w + b[2] : -1;
  for (let p = first; p <= last; p++) {
    if (where && !where.data[p]) continue;
    const lr = LIN[data[p * ch]!]!;
    const lg = LIN[data[p * ch + 1]!]!;
    const lb = LIN[data[p * ch + 2]!]!;
    const fx = labFFast((0.4124564 * lr + 0.3575761 * lg + 0.1804375 * lb) / 0.95047);
    const fy = labFFast(0.2126729 * lr + 0.7151522 * lg + 0.072175 * lb);
    const fz = labFFast((0.0193339 * lr + 0.119192 * lg + 0.9503041 * lb) / 1.08883);
    L[p] = 116 * fy - 16;
    A[p] = 500 * (fx - fy);
    B[p] = 200 * (fy - fz);
  }
  return { L, A, B };
}

/** CIEDE2000 colour difference (Sharma et al. 2005). */
export function deltaE2000(l1: [number, number, number], l2: [number, number, number]): number {
  const [L1, a1, b1] = l1;
  const [L2, a2, b2] = l2;
  const C1 = Math.hypot(a1, b1);
  const C2 = Math.hypot(a2, b2);
  const Cb = (C1 + C2) / 2;
  const G = 0.5 * (1 - Math.sqrt(Cb ** 7 / (Cb ** 7 + 25 ** 7)));
  const a1p = (1 + G) * a1;
  const a2p = (1 + G) * a2;
  const C1p = Math.hypot(a1p, b1);
  const C2p = Math.hypot(a2p, b2);
  const h = (b: number, a: number) => {
    if (a === 0 && b === 0) return 0;
    const t = (Math.atan2(b, a) * 180) / Math.PI;
    return t >= 0 ? t : t + 360;
  };
  const h1p = h(b1, a1p);
  const h2p = h(b2, a2p);
  const dLp = L2 - L1;
  const dCp = C2p - C1p;
  let dhp = 0;
  if (C1p * C2p !== 0) {
    dhp = h2p - h1p;
    if (dhp > 180) dhp -= 360;
    else if (dhp < -180) dhp += 360;
  }
  const dHp = 2 * Math.sqrt(C1p * C2p) * Math.sin((dhp * Math.PI) / 360);
  const Lbp = (L1 + L2) / 2;
  const Cbp = (C1p + C2p) / 2;
  let hbp = h1p + h2p;
  if (C1p * C2p !== 0) {
    if (Math.abs(h1p - h2p) <= 180) hbp = (h1p + h2p) / 2;
    else hbp = h1p + h2p < 360 ? (h1p + h2p + 360) / 2 : (h1p + h2p - 360) / 2;
  }
  const rad = Math.PI / 180;
  const T =
    1 -
    0.17 * Math.cos((hbp - 30) * rad) +
    0.24 * Math.cos(2 * hbp * rad) +
    0.32 * Math.cos((3 * hbp + 6) * rad) -
    0.2 * Math.cos((4 * hbp - 63) * rad);
  const dTheta = 30 * Math.exp(-(((hbp - 275) / 25) ** 2));
  const Rc = 2 * Math.sqrt(Cbp ** 7 / (Cbp ** 7 + 25 ** 7));
  const Sl = 1 + (0.015 * (Lbp - 50) ** 2) / Math.sqrt(20 + (Lbp - 50) ** 2);
  const Sc = 1 + 0.045 * Cbp;
  const Sh = 1 + 0.015 * Cbp * T;
  const Rt = -Math.sin(2 * dTheta * rad) * Rc;
  return Math.sqrt((dLp / Sl) ** 2 + (dCp / Sc) ** 2 + (dHp / Sh) ** 2 + Rt * (dCp / Sc) * (dHp / Sh));
}

/** Rec. 601 luma of a pixel. */
export function luma(r: number, g: number, b: number): number {
  return 0.299 * r + 0.587 * g + 0.114 * b;
}

/**
 * The upper median (the middle pair is not averaged), 0 for an empty list; sorts `v` in place. The colour models
 * take this of their samples.
 */
export function upperMedian(v: number[]): number {
  return v.sort((x, y) => x - y)[v.length >> 1] ?? 0;
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = values.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
