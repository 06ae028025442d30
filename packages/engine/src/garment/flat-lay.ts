/**
 * The flat-lay cut-out as the analysis uses it: the background fill (cutout.ts) with colour as its barrier, the back
 * collar seen through a neckline taken out (back-collar.ts), and a look at how much of the outline was actually seen
 * (outline-contrast.ts). Where part of it was not, on a digitally flat backdrop, the garment is cut again with texture
 * as a barrier too.
 *
 * Why: a pale garment on a pale backdrop has fabric of the backdrop's colour along its edge, and the colour fill walks
 * into it in bites (ragged sleeves, a hem eaten away; when most of the outline is so, the garment was refused).
 * Texture finds that edge (cutout.ts, `textureBarrier`), but it also stops at a drop shadow, which is textured too,
 * and keeps it as garment. So the texture cut is kept only when what it adds over the colour cut has the backdrop's
 * colour, i.e. it gave back bites of fabric and not a darker band.
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
 * The texture cut is tried when more than this share of the colour cut's outline is unseen. On the 42 flat-lays of
 * the development sets on a flat backdrop: the five white tees 0.20–0.75, every other garment 0.03 or less. Where
 * the whole outline is seen the texture cut has nothing to give back, and it costs a second fill.
 */
const TEXTURE_FROM_UNSEEN = 0.1;
/**
 * What the texture cut adds over the colour cut may be darker than the backdrop by at most this much (luma levels,
 * 75th percentile of the added pixels). Measured on those 42, cutting all of them both ways: where the texture cut
 * added anything, the five white tees 0.1–0.6 and three other garments 0.3–1.2; the drop shadows of six garments it
 * would keep 4.5–29.
 */
const MAX_ADDED_DARKENING = 2;

/** Cuts a flat-lay garment out; throws GARMENT_NOT_DETECTED when its outline cannot be found. */
export function cutFlatLay(img: RawImage, border: BorderStats): FlatLayCut {
  const byColour = cutOutFlatLay(img, { border });
  const { background } = byColour;
  const { mask } = removeBackCollar(img, byColour.mask);
  const unseen = unseenOutlineShare(img, mask, background);
  if (unseen <= TEXTURE_FROM_UNSEEN) return { mask, background, barrier: 'colour' };
  const byTexture = textureCut(img, border, byColour);
  if (byTexture) return { mask: removeBackCollar(img, byTexture.mask).mask, background, barrier: 'texture' };
  if (unseen > MAX_UNSEEN_OUTLINE) {
    throw new EngineError(
      'GARMENT_NOT_DETECTED',
      "The garment's edge cannot be told from the product photo's background along most of its outline (a " +
        'pale garment on a pale background). Photograph it on a contrasting background.',
    );
  }
  return { mask, background, barrier: 'colour' };
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
function addedDarkening(img: RawImage, before: BinaryMask, after: BinaryMask, bg: readonly number[]): number {
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
