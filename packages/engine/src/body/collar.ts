/** An old top's contrasting collar: taken out of the neck and given to the old top. */
import { luma } from '../raster/colour.js';
import { type BinaryMask, emptyMask, maskBounds } from '../raster/mask.js';
import type { RawImage } from '../vision/types.js';
import { COLLAR_HALF_WIDTH_SW, COLLAR_MAX_SW } from './proportions.js';

/** Smooth skin pixels in a column that make the neck above a collar. */
const NECK_RUN = 5;

/** Local luminance spread (5×5 standard deviation) above which a pixel is texture, not skin: measured on the
 * fixtures, skin is 2–13 (a neck in the chin's shadow, lit collarbones), a zebra-striped rib collar 44–51. */
const SKIN_MAX_SPREAD = 25;

/**
 * The old top's collar when it contrasts with the body (a ringer tee's rib, a printed neckband): the top is grown
 * from the chest's colour and stops short of it, its dark stripes can pass the face's broad skin model as neck (and
 * the neck is drawn in front of any garment), and a new garment with a lower or wider neckline then leaves it
 * showing round the neck. Skin is smooth, a collar's knit or print is not. Per column near the neck, what sits on
 * the top's upper edge up to its last pixel that is not smooth skin is its collar, when it is at most COLLAR_MAX_SW
 * tall and capped by neck (NECK_RUN smooth skin pixels); so are textured "skin" pixels within that height below
 * the edge. Hair beside the neck runs up into the head instead and stays as it is.
 */
export function collarBand(
  img: RawImage,
  top: BinaryMask,
  person: BinaryMask,
  skin: BinaryMask,
  head: BinaryMask,
  midX: number,
  sw: number,
): BinaryMask {
  const { width: w, height: h, channels: ch, data } = img;
  const out = emptyMask(w, h);
  const b = maskBounds(top);
  if (!b) return out;
  const lum = (x: number, y: number) => {
    const q = (Math.max(0, Math.min(h - 1, y)) * w + Math.max(0, Math.min(w - 1, x))) * ch;
    return luma(data[q]!, data[q + 1]!, data[q + 2]!);
  };
  const smoothSkin = (x: number, y: number): boolean => {
    if (!skin.data[y * w + x]) return false;
    let s = 0;
    let s2 = 0;
    for (let dy = -2; dy <= 2; dy++) {
      for (let dx = -2; dx <= 2; dx++) {
        const l = lum(x + dx, y + dy);
        s += l;
        s2 += l * l;
      }
    }
    return s2 / 25 - (s / 25) ** 2 < SKIN_MAX_SPREAD * SKIN_MAX_SPREAD;
  };
  const maxH = Math.max(2, Math.round(sw * COLLAR_MAX_SW));
  for (
    let x = Math.max(0, Math.round(midX - sw * COLLAR_HALF_WIDTH_SW));
    x <= Math.min(w - 1, Math.round(midX + sw * COLLAR_HALF_WIDTH_SW));
    x++
  ) {
    let y = b[1];
    while (y <= b[3] && !top.data[y * w + x]) y++;
    if (y > b[3]) continue;
    // Up from the edge to the neck: a run of NECK_RUN smooth skin pixels (a collar's wide dark stripe can be
    // smooth over a few pixels). The collar is what lies below that run.
    let height = 0;
    let smooth = 0;
    let capped = false;
    for (let k = 1; k <= maxH + NECK_RUN && y - k >= 0; k++) {
      const p = (y - k) * w + x;
      if (!person.data[p] || head.data[p]) break;
      if (!smoothSkin(x, y - k)) {
        if (k > maxH) break;
        height = k;
        smooth = 0;
      } else if (++smooth >= NECK_RUN) {
        capped = true;
        break;
      }
    }
    if (!capped) continue;
    for (let d = 1; d <= height; d++) out.data[(y - d) * w + x] = 1;
    // Stripes of the collar below that edge: ones the top's growth stepped over, and ones its hole filling took
    // in while they passed the skin test as neck (the neck is drawn in front: they must leave it).
    for (let d = 0; d <= maxH && y + d < h; d++) {
      const p = (y + d) * w + x;
      if (person.data[p] && !head.data[p] && skin.data[p] && !smoothSkin(x, y + d)) out.data[p] = 1;
    }
  }
  return out;
}
