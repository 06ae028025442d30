/** The head (never touched by a garment) and the neck band below it. */
import { drawPolygon } from '../raster/draw.js';
import { type BinaryMask, emptyMask } from '../raster/mask.js';
import type { PersonDetection } from '../vision/types.js';
import type { BodyFrame } from './frame.js';
import {
  CHIN_ABOVE_SHOULDERS_SW,
  HEAD_HALF_WIDTH_SW,
  NECK_ABOVE_CHIN_SW,
  NECK_BELOW_SHOULDERS_SW,
  NECK_HALF_WIDTH_SW,
} from './proportions.js';

/**
 * The head: the face outline (or its box), plus every person pixel above the chin near the centre line (hair, ears,
 * hats). `chinY` is where the neck starts.
 */
export function headRegion(
  face: PersonDetection['face'],
  person: BinaryMask,
  frame: BodyFrame,
): { head: BinaryMask; chinY: number } {
  const { width: w, height: h } = person;
  const sw = frame.shoulderWidth;
  const shoulderY = (frame.lShoulder.y + frame.rShoulder.y) / 2;
  const midX = (frame.lShoulder.x + frame.rShoulder.x) / 2;
  const head = emptyMask(w, h);
  let chinY = shoulderY - sw * CHIN_ABOVE_SHOULDERS_SW;
  if (face) {
    const sil = face.silhouette.map(([x, y]) => ({ x, y }));
    if (sil.length >= 3) {
      drawPolygon(head, sil);
      chinY = Math.max(...sil.map((p) => p.y));
    } else {
      const [fx, fy, fw, fh] = face.box;
      drawPolygon(head, [
        { x: fx, y: fy },
        { x: fx + fw, y: fy },
        { x: fx + fw, y: fy + fh },
        { x: fx, y: fy + fh },
      ]);
      chinY = fy + fh;
    }
  }
  // Above the chin everything of the person is head (hair falls beside the face).
  for (let y = 0; y < Math.min(h, Math.round(chinY)); y++) {
    for (let x = 0; x < w; x++) {
      if (person.data[y * w + x] && Math.abs(x - midX) < sw * HEAD_HALF_WIDTH_SW) head.data[y * w + x] = 1;
    }
  }
  // Long hair over the shoulders: dark-or-not-skin pixels contiguous with the head and beside the neck are hard to
  // tell from a garment; we keep the simpler rule and let the neck band below stay in front.
  return { head, chinY };
}

/**
 * The neck: skin between the chin and the shoulder line, within a central band. (A dark collar's stripes can pass
 * the face's broad skin model; body/collar.ts takes them back.)
 */
export function neckBand(skin: BinaryMask, person: BinaryMask, frame: BodyFrame, chinY: number): BinaryMask {
  const { width: w, height: h } = person;
  const sw = frame.shoulderWidth;
  const shoulderY = (frame.lShoulder.y + frame.rShoulder.y) / 2;
  const midX = (frame.lShoulder.x + frame.rShoulder.x) / 2;
  const neck = emptyMask(w, h);
  const neckHalf = sw * NECK_HALF_WIDTH_SW;
  const y0 = Math.max(0, Math.round(chinY - sw * NECK_ABOVE_CHIN_SW));
  const y1 = Math.min(h, Math.round(shoulderY + sw * NECK_BELOW_SHOULDERS_SW));
  for (let y = y0; y < y1; y++) {
    for (let x = Math.max(0, Math.round(midX - neckHalf)); x < Math.min(w, Math.round(midX + neckHalf)); x++) {
      const p = y * w + x;
      if (skin.data[p] && person.data[p]) neck.data[p] = 1;
    }
  }
  return neck;
}
