/**
 * Renders the garment onto the person's frame through the fit's per-part forward maps, as a triangulated
 * piecewise-affine mesh: a grid over the garment is mapped forward, and each target triangle is filled by inverse
 * barycentric lookup into the garment (bilinear). A forward map plus a mesh gives an exact inverse per triangle
 * without inverting the thin-plate spline. Parts are drawn torso first, then sleeves over it (a sleeve lies on top
 * of the body panel where an arm crosses the torso's side).
 */
import type { GarmentAnalysis } from '../garment/analyze.js';
import { maskBounds } from '../raster/mask.js';
import type { GarmentFit } from './targets.js';

export interface GarmentLayer {
  width: number;
  height: number;
  /** Straight (not premultiplied) RGB, float 0..255. */
  rgb: Float32Array;
  /** Coverage 0..1. */
  alpha: Float32Array;
  /** Which part covers each pixel (0 none, 1 torso, 2/3 sleeves). */
  part: Uint8Array;
}

const CELL = 6;

/** The garment photo as the mesh samples it: its pixels (RGB) and its part map, `gw` × `gh`. */
interface Source {
  img: Uint8Array;
  parts: Uint8Array;
  gw: number;
  gh: number;
}

/** The forward-mapped grid of one part: vertex (c, r) is garment pixel (x0 + c·CELL, y0 + r·CELL). */
interface Mesh {
  x0: number;
  y0: number;
  cols: number;
  vx: Float64Array;
  vy: Float64Array;
}

/** Alpha of part `part` at fractional garment coordinates (bilinear on the part indicator). */
function partAlpha({ parts, gw, gh }: Source, part: number, u: number, v: number): number {
  if (u < 0 || v < 0 || u > gw - 1 || v > gh - 1) return 0;
  const ix = Math.floor(u);
  const iy = Math.floor(v);
  const fx = u - ix;
  const fy = v - iy;
  const jx = Math.min(gw - 1, ix + 1);
  const jy = Math.min(gh - 1, iy + 1);
  const a = parts[iy * gw + ix] === part ? 1 : 0;
  const b = parts[iy * gw + jx] === part ? 1 : 0;
  const c = parts[jy * gw + ix] === part ? 1 : 0;
  const d = parts[jy * gw + jx] === part ? 1 : 0;
  return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy;
}

/** Bilinear RGB of the garment at fractional coordinates, clamped to the photo, into `out`. */
function sample({ img, gw, gh }: Source, u: number, v: number, out: Float32Array): void {
  const ix = Math.max(0, Math.min(gw - 1, Math.floor(u)));
  const iy = Math.max(0, Math.min(gh - 1, Math.floor(v)));
  const jx = Math.min(gw - 1, ix + 1);
  const jy = Math.min(gh - 1, iy + 1);
  const fx = Math.max(0, Math.min(1, u - ix));
  const fy = Math.max(0, Math.min(1, v - iy));
  for (let c = 0; c < 3; c++) {
    const a = img[(iy * gw + ix) * 3 + c]!;
    const b = img[(iy * gw + jx) * 3 + c]!;
    const cc = img[(jy * gw + ix) * 3 + c]!;
    const d = img[(jy * gw + jx) * 3 + c]!;
    out[c] = (a * (1 - fx) + b * fx) * (1 - fy) + (cc * (1 - fx) + d * fx) * fy;
  }
}

/** Which grid cells hold part `part` at all (checked on a 2-px lattice inside the cell plus a margin); null if none. */
function cellsHolding(
  { parts, gw }: Source,
  [x0, y0, x1, y1]: [number, number, number, number],
  cols: number,
  rows: number,
  part: number,
): Uint8Array | null {
  const has = new Uint8Array(cols * rows);
  let any = false;
  for (let y = y0; y <= y1; y += 2) {
    for (let x = x0; x <= x1; x += 2) {
      if (parts[y * gw + x] !== part) continue;
      const cx = Math.floor((x - x0) / CELL);
      const cy = Math.floor((y - y0) / CELL);
      for (let dy = -1; dy <= 0; dy++)
        for (let dx = -1; dx <= 0; dx++) {
          const ccx = cx + dx;
          const ccy = cy + dy;
          if (ccx >= 0 && ccy >= 0 && ccx < cols - 1 && ccy < rows - 1) has[ccy * cols + ccx] = 1;
        }
      if (cx < cols - 1 && cy < rows - 1) has[cy * cols + cx] = 1;
      any = true;
    }
  }
  return any ? has : null;
}

/** The grid's vertices mapped forward once through the part's map. */
function forwardGrid(fit: GarmentFit, part: number, x0: number, y0: number, cols: number, rows: number): Mesh {
  const vx = new Float64Array(cols * rows);
  const vy = new Float64Array(cols * rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const p = fit.mapPart(part, x0 + c * CELL, y0 + r * CELL);
      vx[r * cols + c] = p.x;
      vy[r * cols + c] = p.y;
    }
  }
  return { x0, y0, cols, vx, vy };
}

/**
 * Fills the target triangle of mesh vertices i0, i1, i2 by inverse barycentric lookup into the garment, compositing
 * "over" in straight alpha: later parts (sleeves) lie on top of earlier ones, except where a sleeve goes under the
 * torso panel ("under": the same with the two layers' roles swapped).
 */
function drawTriangle(
  layer: GarmentLayer,
  src: Source,
  mesh: Mesh,
  part: number,
  [i0, i1, i2]: [number, number, number],
  sleeveUnder: Uint8Array | undefined,
  rgbTmp: Float32Array,
): void {
  const { width, height } = layer;
  const { x0, y0, cols, vx, vy } = mesh;
  const ax = vx[i0]!;
  const ay = vy[i0]!;
  const bx = vx[i1]!;
  const by = vy[i1]!;
  const cx = vx[i2]!;
  const cy = vy[i2]!;
  const den = (by - cy) * (ax - cx) + (cx - bx) * (ay - cy);
  if (Math.abs(den) < 1e-9) return;
  const sx0 = x0 + (i0 % cols) * CELL;
  const sy0 = y0 + Math.floor(i0 / cols) * CELL;
  const sx1 = x0 + (i1 % cols) * CELL;
  const sy1 = y0 + Math.floor(i1 / cols) * CELL;
  const sx2 = x0 + (i2 % cols) * CELL;
  const sy2 = y0 + Math.floor(i2 / cols) * CELL;
  const minX = Math.max(0, Math.floor(Math.min(ax, bx, cx)));
  const maxX = Math.min(width - 1, Math.ceil(Math.max(ax, bx, cx)));
  const minY = Math.max(0, Math.floor(Math.min(ay, by, cy)));
  const maxY = Math.min(height - 1, Math.ceil(Math.max(ay, by, cy)));
  for (let y = minY; y <= maxY; y++) {
    const py = y + 0.5;
    for (let x = minX; x <= maxX; x++) {
      const px = x + 0.5;
      const l0 = ((by - cy) * (px - cx) + (cx - bx) * (py - cy)) / den;
      const l1 = ((cy - ay) * (px - cx) + (ax - cx) * (py - cy)) / den;
      const l2 = 1 - l0 - l1;
      if (l0 < -1e-6 || l1 < -1e-6 || l2 < -1e-6) continue;
      const u = l0 * sx0 + l1 * sx1 + l2 * sx2;
      const v = l0 * sy0 + l1 * sy1 + l2 * sy2;
      const a = partAlpha(src, part, u, v);
      if (a <= 0) continue;
      const o = y * width + x;
      sample(src, u, v, rgbTmp);
      const prevA = layer.alpha[o]!;
      const outA = a + prevA * (1 - a);
      const under = part !== 1 && sleeveUnder?.[o] === 1 && layer.part[o] === 1;
      for (let c = 0; c < 3; c++) {
        const now = rgbTmp[c]! * a;
        const was = layer.rgb[o * 3 + c]! * prevA;
        layer.rgb[o * 3 + c] = (under ? was + now * (1 - prevA) : now + was * (1 - a)) / outA;
      }
      layer.alpha[o] = Math.max(prevA, outA);
      if (under ? prevA < 0.5 && a >= 0.5 : a >= 0.5) layer.part[o] = part;
      else if (!layer.part[o]) layer.part[o] = part;
    }
  }
}

/**
 * `sleeveUnder`: pixels (person-frame index) where a sleeve goes under the torso panel instead of over it. A sleeve
 * wraps its arm, so it is on top only where the arm is: a flat-lay's near-horizontal sleeve bent down a hanging arm
 * and widened to close round it sweeps its underarm half across the chest, and drawn on top that half was a dark
 * flap over the print.
 */
export function renderGarment(
  g: GarmentAnalysis,
  fit: GarmentFit,
  width: number,
  height: number,
  sleeveUnder?: Uint8Array,
): GarmentLayer {
  const layer: GarmentLayer = {
    width,
    height,
    rgb: new Float32Array(width * height * 3),
    alpha: new Float32Array(width * height),
    part: new Uint8Array(width * height),
  };
  const src: Source = { img: g.image.data, parts: g.landmarks.parts, gw: g.image.width, gh: g.image.height };
  // Bounding box of the full mask (the trimmed-landmark bbox may exclude straps), grown by a cell.
  const bounds = maskBounds({ data: src.parts, width: src.gw, height: src.gh }, CELL);
  if (!bounds) return layer;
  const [x0, y0, x1, y1] = bounds;
  const cols = Math.ceil((x1 - x0) / CELL) + 1;
  const rows = Math.ceil((y1 - y0) / CELL) + 1;
  const rgbTmp = new Float32Array(3);
  for (const part of [1, 2, 3]) {
    const has = cellsHolding(src, bounds, cols, rows, part);
    if (!has) continue;
    const mesh = forwardGrid(fit, part, x0, y0, cols, rows);
    for (let r = 0; r < rows - 1; r++) {
      for (let c = 0; c < cols - 1; c++) {
        if (!has[r * cols + c]) continue;
        const i = r * cols + c;
        drawTriangle(layer, src, mesh, part, [i, i + 1, i + cols], sleeveUnder, rgbTmp);
        drawTriangle(layer, src, mesh, part, [i + 1, i + cols + 1, i + cols], sleeveUnder, rgbTmp);
      }
    }
  }
  return layer;
}
