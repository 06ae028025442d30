/** Connected components of a binary mask (run-length labelling), the largest one, and hole filling. */
import { type BinaryMask, maskBounds } from './mask.js';

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
