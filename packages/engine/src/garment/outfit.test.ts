import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { categoryFromWords } from './classify.js';
import { planOutfit } from './outfit.js';

const w = (title: string | null) => ({ title, description: null });
/** Plans by the titles' words, as the server does at submit time. */
const plan = (...titles: Array<string | null>) => {
  const items = titles.map(w);
  return planOutfit(
    items,
    items.map((i) => categoryFromWords(i)),
  );
};

describe('outfits: what can be layered, and in which order', () => {
  it('a top and a bottom: the bottom first, whatever the request order', () => {
    assert.deepEqual(plan('Striped T-shirt', 'Pleated midi skirt'), { ok: true, order: [1, 0] });
    assert.deepEqual(plan('Denim jeans', 'Linen blouse'), { ok: true, order: [0, 1] });
    assert.deepEqual(plan('Wool blazer', 'Wide-leg trousers'), { ok: true, order: [1, 0] });
  });

  it('a dress and outerwear: the dress first', () => {
    assert.deepEqual(plan('Cropped denim jacket', 'Floral midi dress'), { ok: true, order: [1, 0] });
    assert.deepEqual(plan('Slip dress', 'Chunky knit cardigan'), { ok: true, order: [0, 1] });
  });

  it('one item is always fine', () => {
    assert.deepEqual(plan('Anything at all'), { ok: true, order: [0] });
  });

  it('refuses two tops, two bottoms, a dress with a bottom or a plain top, naming the item that conflicts', () => {
    const cases: Array<[Array<string | null>, number, RegExp]> = [
      [['Cotton tee', 'Silk blouse'], 1, /top cannot be worn with a top/],
      [['Cotton tee', 'Denim jacket'], 1, /outerwear cannot be worn with a top/],
      [['Jeans', 'Mini skirt'], 1, /replace the other/],
      [['Maxi dress', 'Jeans'], 1, /dress's skirt/],
      [['Maxi dress', 'Cotton tee'], 1, /only outerwear/],
      [['Jeans', 'Cotton tee', 'Denim jacket'], 2, /cannot be worn with a top/],
      [['Maxi dress', 'Shirt dress'], 1, /replace the other/],
    ];
    for (const [titles, index, why] of cases) {
      const p = plan(...titles);
      assert.equal(p.ok, false, titles.join(' + '));
      if (!p.ok) {
        assert.equal(p.index, index, titles.join(' + '));
        assert.match(p.message, why);
      }
    }
  });

  it('an item of unknown category is never refused: it goes over a known bottom or dress, under anything else', () => {
    assert.deepEqual(plan(null, 'Jeans'), { ok: true, order: [1, 0] });
    assert.deepEqual(plan('Cotton tee', 'untitled'), { ok: true, order: [1, 0] });
    assert.deepEqual(plan('mock', 'mock'), { ok: true, order: [0, 1] });
    // Learned later (the engine's analysis): the worker plans again with the categories.
    assert.deepEqual(planOutfit([w(null), w(null)], ['upper', 'lower']), { ok: true, order: [1, 0] });
    assert.equal(planOutfit([w(null), w(null)], ['upper', 'upper']).ok, false);
    // Outerwear needs words: an untitled top over a dress is a plain top.
    assert.equal(planOutfit([w(null), w('Maxi dress')], ['upper', 'dress']).ok, false);
  });
});
