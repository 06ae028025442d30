/**
 * Garment classification: category (upper / lower / dress) and sleeve length, from the product's words first and the
 * cut-out's shape second. Words are decisive when present ("dress", "sleeveless"); shape decides when they are
 * absent or silent, so an untitled product still gets a sensible fit.
 */
import type { GarmentLandmarks } from './landmarks.js';

export type GarmentCategory = 'upper' | 'lower' | 'dress';
export type SleeveLength = 'none' | 'short' | 'long';
/** Lower garments are split further because trousers need one warp per leg. */
export type LowerKind = 'skirt' | 'trousers' | 'shorts';

export interface GarmentClass {
  category: GarmentCategory;
  sleeve: SleeveLength;
  lowerKind: LowerKind | null;
  /** Where each decision came from. */
  source: { category: 'words' | 'shape'; sleeve: 'words' | 'shape' };
}

/** Products this engine refuses by name: it cannot dress a whole outfit or accessories. */
const UNSUPPORTED =
  /\b(jumpsuits?|overalls?|dungarees|rompers?|playsuits?|bodysuits?|swimsuits?|bikinis?|shoes?|sneakers?|boots?|bags?|hats?|caps?|scarf|scarves|socks?|belts?|gloves?|necklaces?|earrings?|sunglasses|glasses|watch(es)?|jewel(le)?ry|coats?|parkas?)\b/i;
const DRESS = /\b(dress(es)?|gown|sundress|frock|kaftan|caftan|robe dress|slip dress|shirt ?dress)\b/i;
const SKIRT = /\b(skirts?|skort)\b/i;
const SHORTS = /\b(shorts|bermudas?)\b/i;
const TROUSERS = /\b(trousers|pants|jeans|leggings|joggers|chinos|slacks|sweatpants|culottes)\b/i;
const UPPER =
  /\b(t-?shirts?|tees?|tops?|shirts?|blouses?|sweaters?|jumpers?|pullovers?|cardigans?|hoodies?|sweatshirts?|vests?|tanks?|camis?|camisoles?|polos?|jerseys?|tunics?|knits?|crop ?tops?|bodice|corsets?|jackets?|blazers?)\b/i;
const SLEEVELESS =
  /\b(sleeveless|tank|cami|camisole|strappy|spaghetti|halter|strapless|one[- ]shoulder|vest|bandeau|tube top)\b/i;
const LONG =
  /\b(long[- ]sleeved?|long sleeves?|cardigan|sweater|jumper|hoodie|sweatshirt|pullover|turtleneck|jacket|blazer)\b/i;
const SHORT = /\b(short[- ]sleeved?|short sleeves?|t-?shirt|tee|polo|cap sleeves?|puff sleeves?)\b/i;

export interface ProductWords {
  title: string | null;
  description: string | null;
}

/** Thrown-free pre-check: a product the engine cannot dress, by its words (null when fine). */
export function unsupportedByWords(words: ProductWords): string | null {
  const title = words.title ?? '';
  const m = UNSUPPORTED.exec(title);
  // Only the title can veto: descriptions mention shoes and bags in styling tips ("pair it with sneakers").
  if (m && !DRESS.test(title) && !UPPER.test(title) && !TROUSERS.test(title) && !SKIRT.test(title)) return m[0];
  return null;
}

function wordsCategory(text: string): { category: GarmentCategory; lowerKind: LowerKind | null } | null {
  if (DRESS.test(text)) return { category: 'dress', lowerKind: null };
  if (SKIRT.test(text)) return { category: 'lower', lowerKind: 'skirt' };
  if (SHORTS.test(text)) return { category: 'lower', lowerKind: 'shorts' };
  if (TROUSERS.test(text)) return { category: 'lower', lowerKind: 'trousers' };
  if (UPPER.test(text)) return { category: 'upper', lowerKind: null };
  return null;
}

/**
 * The category the product's words name (the title first: the description may mention other garments), or null.
 * What an engine chooser knows before any image is analysed.
 */
export function categoryFromWords(words: ProductWords): GarmentCategory | null {
  const title = words.title ?? '';
  return (wordsCategory(title) ?? wordsCategory(`${title} ${words.description ?? ''}`))?.category ?? null;
}

/** Sleeve length named by the words ("sleeveless", "tank", "long sleeves"…), or null. */
export function wordsSleeve(text: string): SleeveLength | null {
  if (SLEEVELESS.test(text)) return 'none';
  if (/\blong[- ]sleeved?\b|\blong sleeves?\b/i.test(text)) return 'long';
  if (/\bshort[- ]sleeved?\b|\bshort sleeves?\b/i.test(text)) return 'short';
  if (LONG.test(text)) return 'long';
  if (SHORT.test(text)) return 'short';
  return null;
}

/** Shape features used by {@link classifyGarment}; exported for tests and diagnostics. */
export function shapeFeatures(lm: GarmentLandmarks): { aspect: number; sleeveRatio: number; legGap: boolean } {
  const chest = Math.max(1, lm.armpitRight.x - lm.armpitLeft.x);
  const aspect = (lm.hemCenter.y - lm.neck.y) / chest;
  const shoulderW = Math.max(
    1,
    Math.hypot(lm.shoulderRight.x - lm.shoulderLeft.x, lm.shoulderRight.y - lm.shoulderLeft.y),
  );
  const sl = Math.max(lm.sleeveLeft?.length ?? 0, lm.sleeveRight?.length ?? 0);
  const sleeveRatio = sl / shoulderW;
  // Trousers: the centre axis is empty over the bottom third (the crotch gap between the legs).
  const [, y0, , y1] = lm.bbox;
  const legGap = lm.hemCenter.y < y0 + (y1 - y0) * 0.7;
  return { aspect, sleeveRatio, legGap };
}

/**
 * Whether what the outline found as sleeves are straps. Drawn as sleeves, straps were bent down the arms and the body
 * stretched between them. Two signs, measured on the 55 flat-lays of the development sets:
 * - straps rise from the body, so the "sleeve" ends above where it joins: +0.14 to +0.74 of its length on both sides
 *   for three of the four strap garments, where every sleeve's end lies below its root (-0.86 to -1.0);
 * - the torso's side lines found under straps cross, their "armpits" being the straps' feet: the fourth (a yellow
 *   cami, one strap at -0.04) and two of the three.
 */
export function strapsNotSleeves(lm: GarmentLandmarks): boolean {
  const sleeves = [lm.sleeveLeft, lm.sleeveRight].filter((s) => s !== null);
  if (sleeves.length === 0) return false;
  const rising = sleeves.every((s) => s.end.y < s.root.y);
  const sidesCross = lm.armpitRight.x <= lm.armpitLeft.x;
  return rising || sidesCross;
}

/**
 * Classifies a garment. Words win for the category; for sleeves, explicit words ("sleeveless", "long sleeve") win,
 * else the shape: sleeves longer than 1.2× the shoulder width hang past the elbow on a body (long), sleeve parts under
 * ~1.2 % of the garment are not sleeves (none).
 */
export function classifyGarment(words: ProductWords, lm: GarmentLandmarks): GarmentClass {
  const title = words.title ?? '';
  const all = `${title} ${words.description ?? ''}`;
  // The title names the product; the description may mention other garments ("wear it over a dress").
  const byWords = wordsCategory(title) ?? wordsCategory(all);
  const f = shapeFeatures(lm);
  let category: GarmentCategory;
  let lowerKind: LowerKind | null = null;
  let catSource: 'words' | 'shape' = 'words';
  if (byWords) {
    category = byWords.category;
    lowerKind = byWords.lowerKind;
  } else {
    catSource = 'shape';
    if (f.legGap) {
      category = 'lower';
      lowerKind = 'trousers';
    } else if (f.aspect > 2.1) category = 'dress';
    else category = 'upper';
  }
  let sleeve: SleeveLength;
  let sleeveSource: 'words' | 'shape' = 'words';
  const ws = category === 'lower' ? 'none' : (wordsSleeve(title) ?? wordsSleeve(all));
  // Straps are straps whatever the words say: shops title camis "T-shirt" too.
  if (category !== 'lower' && strapsNotSleeves(lm)) {
    sleeve = 'none';
    sleeveSource = 'shape';
  } else if (ws) sleeve = ws;
  else {
    sleeveSource = 'shape';
    if (!lm.sleeveLeft && !lm.sleeveRight) sleeve = 'none';
    else sleeve = f.sleeveRatio > 1.2 ? 'long' : 'short';
  }
  return { category, sleeve, lowerKind, source: { category: catSource, sleeve: sleeveSource } };
}
