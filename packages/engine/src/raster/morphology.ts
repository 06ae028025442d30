/**
 * Binary morphology with disk (Euclidean) and square structuring elements: dilation, erosion, opening, closing.
 */
import { distanceToSet } from './distance.js';
import { type BinaryMask, invert, maskBounds } from './mask.js';

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
