/**
 * Skin-coloured prints: a beige check, a leopard print, lace. The skin test (skin.ts) is a colour test, and such
 * fabrics pass it, so the old garment was taken for skin: a dress of beige check read as bare arms and chest, and a
 * strip of it beside a hanging arm was kept in front of the new garment as "forearm" (052964_0, and 01008_00's leopard
 * skirt beside a dress). Skin is smooth at the photo's scale and a print is not: the 5×5 standard deviation of luma
 * over the bare forearms of the 34 development persons (3 px in from their outlines) is 3.9 at the median, and 0.1 of
 * it is over 10 (fingers, a bracelet, a wrist's edge); over the beige check and the leopard print it is 32–34 at the
 * median, three quarters of it over 19. The outlines (a line a few pixels wide along every edge of the body) and
 * such spots are dropped by an opening; what is left is an area of texture, which is not skin.
 *
 * garment/on-model-skin.ts has a texture test of its own (`texturedMask`: L*'s 7×7 deviation over 6 in most of an
 * 11×11 neighbourhood), made to take a model's textured garment off her skin, where calling skin garment costs little.
 * Here it costs an arm: on the 34 persons it marks 0.07–0.60 of the forearm skin this test keeps (fingers, a wrist's
 * shading), so the two stay apart, sharing `localStdDev`.
 *
 * Hands are the exception: fingers and the gaps between them are texture at this scale, and a hand must stay skin to
 * be drawn in front of the garment. The hand capsules (past the wrists) keep their skin.
 */
import { localStdDev } from '../raster/blur.js';
import { lumaPlane } from '../raster/colour.js';
import { andNot, type BinaryMask, emptyMask } from '../raster/mask.js';
import { open } from '../raster/morphology.js';
import type { RawImage } from '../vision/types.js';

/** Texture window radius (5×5), as the garment cut-out's texture barrier measures it. */
const WINDOW_R = 2;
/** Luma standard deviation above which a pixel is textured (bare forearms: 0.9 of them under it; prints: median 32). */
const PRINT_STD = 10;
/** Opening radius: outlines and fine detail (an eye, a strap's edge, a bracelet) are narrower; a print's area is not. */
const OPEN_R = 4;

/**
 * The person's textured areas inside `box` (the person's bounds), but `keep` (the hands): where a skin-coloured pixel
 * is print, not skin.
 */
export function printedAreas(img: RawImage, person: BinaryMask, box: readonly number[], keep: BinaryMask): BinaryMask {
  const { width: w, height: h } = img;
  const [x0, y0, x1, y1] = box as [number, number, number, number];
  const out = emptyMask(w, h);
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  if (bw <= 0 || bh <= 0) return out;
  const sd = localStdDev(lumaPlane(img, [x0, y0, x1, y1]), bw, bh, WINDOW_R);
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      const p = (y + y0) * w + x + x0;
      if (sd[y * bw + x]! > PRINT_STD && person.data[p]) out.data[p] = 1;
    }
  }
  return andNot(open(out, OPEN_R), keep);
}
