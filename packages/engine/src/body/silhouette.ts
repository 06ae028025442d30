/** The person's silhouette: the selfie mask refined against the photo, and how far it reaches from a point. */
import { gaussBlur, sampleField } from '../raster/blur.js';
import { largestComponent } from '../raster/components.js';
import type { P } from '../raster/draw.js';
import { type BinaryMask, binarize, emptyMask, maskBounds } from '../raster/mask.js';
import { close, open, squareMorph } from '../raster/morphology.js';
import type { Mask, RawImage } from '../vision/types.js';

/** Outward extent of the person mask from point p along direction (dx, dy), up to maxD pixels. */
export function edgeAlong(person: BinaryMask, p: P, dx: number, dy: number, maxD: number): number {
  const n = Math.hypot(dx, dy) || 1;
  const ux = dx / n;
  const uy = dy / n;
  let last = 0;
  let misses = 0;
  for (let d = 0; d <= maxD; d++) {
    const x = Math.round(p.x + ux * d);
    const y = Math.round(p.y + uy * d);
    if (x < 0 || y < 0 || x >= person.width || y >= person.height) break;
    if (person.data[y * person.width + x]) {
      last = d;
      misses = 0;
    } else if (++misses > 3) break;
  }
  return last;
}

/**
 * The person silhouette, edge refined against the photo. The selfie mask is predicted at 256 px and upsampled, so its
 * 50 % contour wanders a few pixels off the true edge (it bleeds onto the background by up to ~1 model pixel, ≈ 3 px
 * at 768 px wide). Within a band of ±R px around that contour each pixel is re-decided by colour: it is background
 * when it is close to the LOCAL background colour (a masked blur of the sure-background pixels, extrapolated into
 * the band) and closer to it than to the local person colour. Studio and plain backgrounds are smooth, so the local
 * background estimate is good to a few levels; where the background is busy (its local spread is high) or the two
 * local colours are too alike to tell apart, the selfie mask's own 50 % decision is kept.
 */
export function refineSilhouette(img: RawImage, soft: Mask): BinaryMask {
  const { width: fw, height: fh } = img;
  const full = largestComponent(close(binarize(soft, 128), 2)).mask;
  // Band half-width: ~2 model pixels of the 256-px selfie model, in image pixels.
  const R = Math.max(3, Math.min(12, Math.round((2 * Math.max(fw, fh)) / 256)));
  // Work in the window around the person that the band and its colour statistics (sigma 2R, ±3 sigma) can reach.
  const win = maskBounds(full, 7 * R);
  if (!win) return full;
  const [x0, y0, x1, y1] = win;
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const n = w * h;
  const { channels: ch, data } = img;
  const base = emptyMask(w, h);
  for (let y = 0; y < h; y++) base.data.set(full.data.subarray((y + y0) * fw + x0, (y + y0) * fw + x0 + w), y * w);
  // The band: a square structuring element is as good as a disk here and costs O(1) per pixel.
  const grown = squareMorph(base, R, 'dilate');
  const sureFg = squareMorph(base, R, 'erode');
  // Local colour statistics at low resolution (cells of R px, Gaussian sigma 2R): sums of colour, squared colour and
  // weight over sure-background and sure-person pixels, accumulated in one pass, blurred, then divided.
  const f = R;
  const cw = Math.ceil(w / f);
  const chh = Math.ceil(h / f);
  const cells = cw * chh;
  const acc = Array.from({ length: 9 }, () => new Float32Array(cells)); // bg r,g,b,sq,w; fg r,g,b,w
  for (let y = 0; y < h; y++) {
    const cy = ((y / f) | 0) * cw;
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const bgPix = !grown.data[p];
      const fgPix = sureFg.data[p] === 1;
      if (!bgPix && !fgPix) continue;
      const c = cy + ((x / f) | 0);
      const q = ((y + y0) * fw + x + x0) * ch;
      const r = data[q]!;
      const g = data[q + 1]!;
      const b = data[q + 2]!;
      if (bgPix) {
        acc[0]![c]! += r;
        acc[1]![c]! += g;
        acc[2]![c]! += b;
        acc[3]![c]! += (r * r + g * g + b * b) / 3;
        acc[4]![c]! += 1;
      } else {
        acc[5]![c]! += r;
        acc[6]![c]! += g;
        acc[7]![c]! += b;
        acc[8]![c]! += 1;
      }
    }
  }
  const blurred = acc.map((plane) => gaussBlur(plane, cw, chh, 2));
  const field = (k: number, wk: number) => {
    const d = new Float32Array(cells);
    for (let i = 0; i < cells; i++) d[i] = blurred[wk]![i]! > 0.05 ? blurred[k]![i]! / blurred[wk]![i]! : Number.NaN;
    return { data: d, w: cw, h: chh, f };
  };
  const bgF = [field(0, 4), field(1, 4), field(2, 4), field(3, 4)];
  const fgF = [field(5, 8), field(6, 8), field(7, 8)];
  const px = (p: number, c: number) => data[((((p / w) | 0) + y0) * fw + (p % w) + x0) * ch + c]!;
  const out = new Uint8Array(base.data);
  let changed = 0;
  for (let p = 0; p < n; p++) {
    if (!grown.data[p] || sureFg.data[p]) continue;
    const x = p % w;
    const y = (p - x) / w;
    const b0 = sampleField(bgF[0]!, x, y);
    if (Number.isNaN(b0)) continue;
    const b1 = sampleField(bgF[1]!, x, y);
    const b2 = sampleField(bgF[2]!, x, y);
    // Background spread (per-channel standard deviation around the local mean): > 12 levels is not a plain wall.
    const varBg = sampleField(bgF[3]!, x, y) - (b0 * b0 + b1 * b1 + b2 * b2) / 3;
    if (varBg > 144) continue;
    const r = px(p, 0);
    const g = px(p, 1);
    const b = px(p, 2);
    const dB = Math.max(Math.abs(r - b0), Math.abs(g - b1), Math.abs(b - b2));
    const f0 = sampleField(fgF[0]!, x, y);
    let dF = 255;
    if (!Number.isNaN(f0)) {
      dF = Math.max(
        Math.abs(r - f0),
        Math.abs(g - sampleField(fgF[1]!, x, y)),
        Math.abs(b - sampleField(fgF[2]!, x, y)),
      );
    }
    // Background: within 3 spreads (at least 8 levels) of the local wall colour and nearer to it than to the
    // person's local colour. Person: clearly off the wall (more than twice that) — a pixel in between keeps the
    // selfie decision, which is right about half the anti-aliased edge pixels.
    const tol = Math.max(8, 3 * Math.sqrt(Math.max(0, varBg)));
    const isBg = dB <= tol && dB < dF;
    const isFg = dB > 2 * tol;
    const v = isBg ? 0 : isFg ? 1 : out[p]!;
    if (v !== out[p]) changed++;
    out[p] = v;
  }
  if (changed === 0) return full;
  // A 1-px opening and closing remove the speckle a per-pixel decision leaves on a JPEG edge; the largest part is
  // the person (a background patch the size of a person's colour does not join it).
  const refined = largestComponent(close(open({ data: out, width: w, height: h }, 1), 1)).mask;
  const result = emptyMask(fw, fh);
  for (let y = 0; y < h; y++) result.data.set(refined.data.subarray(y * w, y * w + w), (y + y0) * fw + x0);
  return result;
}
