/** Points, and capsules and polygons rasterised into binary masks (the body's limbs and regions are drawn so). */
import type { BinaryMask } from './mask.js';

/** A point in image pixels. */
export interface P {
  x: number;
  y: number;
}

/** Rasterises a capsule (segment with round caps) of radius r into `m`. */
export function drawCapsule(m: BinaryMask, a: P, b: P, r: number): void {
  const { width: w, height: h } = m;
  const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x) - r));
  const x1 = Math.min(w - 1, Math.ceil(Math.max(a.x, b.x) + r));
  const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y) - r));
  const y1 = Math.min(h - 1, Math.ceil(Math.max(a.y, b.y) + r));
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy || 1;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const t = Math.max(0, Math.min(1, ((x - a.x) * dx + (y - a.y) * dy) / len2));
      const px = a.x + t * dx - x;
      const py = a.y + t * dy - y;
      if (px * px + py * py <= r * r) m.data[y * w + x] = 1;
    }
  }
}

/** Rasterises a polygon (even-odd) into `m`. */
export function drawPolygon(m: BinaryMask, pts: P[]): void {
  const { width: w, height: h } = m;
  if (pts.length < 3) return;
  let ymin = Number.POSITIVE_INFINITY;
  let ymax = Number.NEGATIVE_INFINITY;
  for (const p of pts) {
    ymin = Math.min(ymin, p.y);
    ymax = Math.max(ymax, p.y);
  }
  for (let y = Math.max(0, Math.floor(ymin)); y <= Math.min(h - 1, Math.ceil(ymax)); y++) {
    const yc = y + 0.5;
    const xs: number[] = [];
    for (let i = 0; i < pts.length; i++) {
      const p = pts[i]!;
      const q = pts[(i + 1) % pts.length]!;
      if ((p.y <= yc && q.y > yc) || (q.y <= yc && p.y > yc)) xs.push(p.x + ((yc - p.y) / (q.y - p.y)) * (q.x - p.x));
    }
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      for (let x = Math.max(0, Math.ceil(xs[k]! - 0.5)); x <= Math.min(w - 1, Math.floor(xs[k + 1]! - 0.5)); x++) {
        m.data[y * w + x] = 1;
      }
    }
  }
}
