/**
 * The flat-lay cut-out as the analysis uses it: the background fill (cutout.ts) with colour as its barrier, and, on a
 * digitally flat backdrop, with texture too; then the back collar seen through a neckline taken out
 * (back-collar.ts); then, for a colour cut, a check that its outline was actually seen (outline-contrast.ts).
 *
 * Why two cuts: a pale garment on a pale backdrop has fabric of the backdrop's colour along its edge, and the colour
 * fill walks into it in bites (ragged sleeves, a hem eaten away; when most of the outline is so, the garment was
 * refused). Texture finds that edge (cutout.ts, `textureBarrier`), but it also stops at a drop shadow, which is
 * textured too, and keeps it as garment. So the texture cut is kept only when what it adds over the colour cut has
 * the backdrop's colour, i.e. it gave back bites of fabric and not a darker band.
 */
import { EngineError } from '../engine.js';
import { luma } from '../raster/colour.js';
import type { BinaryMask } from '../raster/mask.js';
import type { RawImage } from '../vision/types.js';
import { removeBackCollar } from './back-collar.js';
import { type BorderStats, type CutoutResult, cutOutFlatLay } from './cutout.js';
import { MAX_UNSEEN_OUTLINE, unseenOutlineShare } from './outline-contrast.js';

export interface FlatLayCut {
  mask: BinaryMask;
  background: [number, number, number];
  /** Which barrier found the outline. */
  barrier: 'colour' | 'texture';
}

/**
 * What the texture cut adds over the colour cut may be darker than the backdrop by at most this much (luma levels,
 * 75th percentile of the added pixels). Measured on the 55 flat-lays of the development sets, where the texture cut
 * added anything: the five white tees on 246 grey and two other garments −0.8…0.9; the drop shadows it keeps 4.5–29.
 */
const MAX_ADDED_DARKENING = 2;

/** Cuts a flat-lay garment out; throws GARMENT_NOT_DETECTED when its outline cannot be found. */
export function cutFlatLay(img: RawImage, border: BorderStats): FlatLayCut {
  const byColour = cutOutFlatLay(img, { border });
  const byTexture = textureCut(img, border, byColour);
  const { mask } = removeBackCollar(img, (byTexture ?? byColour).mask);
  if (!byTexture && unseenOutlineShare(img, mask, byColour.background) > MAX_UNSEEN_OUTLINE) {
    throw new EngineError(
      'GARMENT_NOT_DETECTED',
      "The garment's edge cannot be told from the product photo's background along most of its outline (a " +
        'pale garment on a pale background). Photograph it on a contrasting background.',
    );
  }
  return { mask, background: byColour.background, barrier: byTexture ? 'texture' : 'colour' };
}

/** The texture cut when the backdrop is flat and what it adds over `byColour` is backdrop-coloured; else null. */
function textureCut(img: RawImage, border: BorderStats, byColour: CutoutResult): CutoutResult | null {
  let cut: CutoutResult;
  try {
    cut = cutOutFlatLay(img, { border, byTexture: true });
  } catch (err) {
    if (err instanceof EngineError) return null;
    throw err;
  }
  return addedDarkening(img, byColour.mask, cut.mask, byColour.background) <= MAX_ADDED_DARKENING ? cut : null;
}

/** 75th percentile of the luma drop below the backdrop over the pixels in `after` and not in `before` (0: none). */
export function addedDarkening(img: RawImage, before: BinaryMask, after: BinaryMask, bg: readonly number[]): number {
  const { channels: ch, data } = img;
  const bgLuma = luma(bg[0]!, bg[1]!, bg[2]!);
  const drops: number[] = [];
  for (let p = 0; p < after.data.length; p++) {
    if (after.data[p] && !before.data[p])
      drops.push(bgLuma - luma(data[p * ch]!, data[p * ch + 1]!, data[p * ch + 2]!));
  }
  drops.sort((a, b) => a - b);
  return drops.length ? drops[Math.floor(drops.length * 0.75)]! : 0;
}
