/**
 * Outfits: several garments dressed in one try-on, one on the result of the other. Which combinations the engines can
 * layer, and in which order. An engine dresses one garment at a time over whatever the person wears, so a garment
 * dressed later covers the earlier one where they overlap: a bottom goes first (the top's hem then falls over its
 * waistband), a dress before the outerwear worn over it.
 *
 * What can be layered: a bottom with a top (or with outerwear, a top itself), and a dress with outerwear (a jacket,
 * blazer or cardigan). Not: two tops (the engines draw a garment closed, so the one under it would vanish), two
 * bottoms or two dresses (one replaces the other), a dress with a bottom (the dress's skirt and the bottom fight for
 * the legs), a dress with a top that is not outerwear (it would hide the dress's bodice as a shirt over it).
 */
import type { GarmentCategory, ProductWords } from './classify.js';

/** The layer of an outfit item: a category, with outerwear told from other tops by its words. */
export type OutfitLayer = 'lower' | 'dress' | 'upper' | 'outerwear';

/** Tops that are worn open over other clothes, so over a dress too (coats: the engines refuse them by name). */
const OUTERWEAR = /\b(jackets?|blazers?|cardigans?|shackets?|boleros?)\b/i;

/** Dressing rank: lower ranks are dressed first, so later ones fall over them. */
const RANK: Record<OutfitLayer, number> = { lower: 0, dress: 0, upper: 1, outerwear: 2 };

/**
 * The layer of an outfit item from a known category (the words', or the engine's analysis of the image) and the
 * words (outerwear is a top whose words name a jacket, blazer or cardigan).
 */
export function outfitLayer(category: GarmentCategory, words: ProductWords): OutfitLayer {
  if (category !== 'upper') return category;
  return OUTERWEAR.test(words.title ?? '') || (!words.title && OUTERWEAR.test(words.description ?? ''))
    ? 'outerwear'
    : 'upper';
}

const NAMES: Record<OutfitLayer, string> = {
  lower: 'a bottom',
  dress: 'a dress',
  upper: 'a top',
  outerwear: 'outerwear',
};

export type OutfitPlan =
  /** The items' indexes in dressing order. */
  | { ok: true; order: number[] }
  /** `index`: the item that cannot join the ones before it (in the request's order); `message` says why. */
  | { ok: false; index: number; message: string };

/**
 * Checks an outfit and gives its dressing order. `categories[i]` is item i's category, or null when not known yet
 * (words that name no garment, before the engine analysed the image): an unknown item never makes a refusal, it is
 * placed after a known bottom or dress (it must be what goes over it) and before anything else, in the request's
 * order. Whoever learns the categories later (the worker, from the engine's analysis) plans again with them.
 */
export function planOutfit(items: ProductWords[], categories: Array<GarmentCategory | null>): OutfitPlan {
  const layers = items.map((w, i) => (categories[i] ? outfitLayer(categories[i]!, w) : null));
  const seen: Array<{ layer: OutfitLayer; index: number }> = [];
  for (const [index, layer] of layers.entries()) {
    if (!layer) continue;
    for (const other of seen) {
      const why = conflict(other.layer, layer);
      if (why)
        return { ok: false, index, message: `${NAMES[layer]} cannot be worn with ${NAMES[other.layer]}: ${why}` };
    }
    seen.push({ layer, index });
  }
  // No third known item passes the loop: every pair that can be layered is a bottom or a dress with one thing over
  // it, and any third layer conflicts with one of the two.
  const base = seen.some((s) => s.layer === 'lower' || s.layer === 'dress');
  const rankOf = (i: number) => {
    const layer = layers[i];
    if (layer) return RANK[layer];
    return base ? 1.5 : -1;
  };
  // A stable sort: equal ranks keep the request's order.
  const order = items.map((_, i) => i).sort((a, b) => rankOf(a) - rankOf(b) || a - b);
  return { ok: true, order };
}

/** Why two layers cannot be dressed together, or null when they can. */
function conflict(a: OutfitLayer, b: OutfitLayer): string | null {
  const pair = new Set([a, b]);
  const tops = (l: OutfitLayer) => l === 'upper' || l === 'outerwear';
  if (tops(a) && tops(b)) return 'the engine draws a top closed, so the one under it would not show';
  if (a === b) return 'one would replace the other';
  if (pair.has('dress') && pair.has('lower')) return "the dress's skirt and the bottom would cover the same legs";
  if (pair.has('dress') && pair.has('upper')) {
    return 'only outerwear (a jacket, blazer or cardigan) can go over a dress';
  }
  return null;
}
