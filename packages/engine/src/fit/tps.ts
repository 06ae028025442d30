/**
 * Thin-plate spline in 2-D: the smoothest (minimum bending energy) map that sends each source control point exactly
 * onto its target. With ~10 well-spread garment landmarks it bends the torso panel gently and never tears; it can
 * fold only if two controls cross, which the fit avoids by construction (sleeves have their own maps).
 */
import type { P } from '../raster/draw.js';

export interface Tps {
  map(x: number, y: number): P;
}

function kernel(r2: number): number {
  return r2 < 1e-12 ? 0 : r2 * Math.log(r2) * 0.5; // r² log r
}

/** Solves A·x = b in place by Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[piv]![c]!)) piv = r;
    [a[c], a[piv]] = [a[piv]!, a[c]!];
    [b[c], b[piv]] = [b[piv]!, b[c]!];
    const d = a[c]![c]!;
    if (Math.abs(d) < 1e-12) continue;
    for (let r = c + 1; r < n; r++) {
      const f = a[r]![c]! / d;
      if (f === 0) continue;
      for (let k = c; k < n; k++) a[r]![k]! -= f * a[c]![k]!;
      b[r]! -= f * b[c]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r]!;
    for (let k = r + 1; k < n; k++) s -= a[r]![k]! * x[k]!;
    const d = a[r]![r]!;
    x[r] = Math.abs(d) < 1e-12 ? 0 : s / d;
  }
  return x;
}

/**
 * Fits a TPS from `src` to `dst`. `lambda` > 0 relaxes exact interpolation (regularisation), which keeps the map
 * smooth when two landmarks are noisy and close together.
 */
export function fitTps(src: P[], dst: P[], lambda = 0): Tps {
  const n = src.length;
  // Normalise coordinates so the kernel's scale does not depend on the image size.
  let sx = 0;
  let sy = 0;
  for (const p of src) {
    sx += p.x;
    sy += p.y;
  }
  const cx = sx / n;
  const cy = sy / n;
  let scale = 0;
  for (const p of src) scale = Math.max(scale, Math.hypot(p.x - cx, p.y - cy));
  scale = scale || 1;
  const s = src.map((p) => ({ x: (p.x - cx) / scale, y: (p.y - cy) / scale }));
  const size = n + 3;
  const build = () => {
    const a: number[][] = Array.from({ length: size }, () => new Array<number>(size).fill(0));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        a[i]![j] = kernel((s[i]!.x - s[j]!.x) ** 2 + (s[i]!.y - s[j]!.y) ** 2) + (i === j ? lambda : 0);
      }
      a[i]![n] = 1;
      a[i]![n + 1] = s[i]!.x;
      a[i]![n + 2] = s[i]!.y;
      a[n]![i] = 1;
      a[n + 1]![i] = s[i]!.x;
      a[n + 2]![i] = s[i]!.y;
    }
    return a;
  };
  const bx = [...dst.map((p) => p.x), 0, 0, 0];
  const by = [...dst.map((p) => p.y), 0, 0, 0];
  const wx = solve(build(), bx);
  const wy = solve(build(), by);
  return {
    map(x: number, y: number): P {
      const u = (x - cx) / scale;
      const v = (y - cy) / scale;
      let ox = wx[n]! + wx[n + 1]! * u + wx[n + 2]! * v;
      let oy = wy[n]! + wy[n + 1]! * u + wy[n + 2]! * v;
      for (let i = 0; i < n; i++) {
        const k = kernel((u - s[i]!.x) ** 2 + (v - s[i]!.y) ** 2);
        ox += wx[i]! * k;
        oy += wy[i]! * k;
      }
      return { x: ox, y: oy };
    },
  };
}
