/** Colour: sRGB → CIE L*a*b* (per pixel and as planes), CIEDE2000, luma, and the medians the colour models take. */
import type { RawImage } from '../vision/types.js';
import { type BinaryMask, maskBounds } from './mask.js';

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

/** L*, a* and b* of an image as three planes (row-major, one value per pixel). */
export interface LabPlanes {
  L: Float32Array;
  A: Float32Array;
  B: Float32Array;
}

/**
 * L*a*b* of every pixel as three planes, computed once per image (the skin test, the region growing and the edge
 * refinement all read it). Only pixels where `where` is set are converted when a mask is given; others stay 0.
 */
export function labPlanes(img: RawImage, where?: BinaryMask): LabPlanes {
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

/** The luma of the image's pixels inside the inclusive box [x0, y0, x1, y1], row by row (the whole image by default). */
export function lumaPlane(img: RawImage, [x0, y0, x1, y1] = [0, 0, img.width - 1, img.height - 1]): Float32Array {
  const { width: w, channels: ch, data } = img;
  const bw = x1 - x0 + 1;
  const out = new Float32Array(Math.max(0, bw) * Math.max(0, y1 - y0 + 1));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const i = (y * w + x) * ch;
      out[(y - y0) * bw + x - x0] = luma(data[i]!, data[i + 1]!, data[i + 2]!);
    }
  }
  return out;
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
