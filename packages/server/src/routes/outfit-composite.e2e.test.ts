/**
 * A real outfit through the API on the composite engine (in the vision worker threads): a fixture person dressed in
 * a top and a bottom in one generation. The fixtures hold no bottoms, so the bottom is the drawn striped skirt of
 * quality/synthetic-bottoms.ts. The same skirt alone is tried on too, as the reference the outfit is compared with:
 * the outfit's legs wear that skirt (the top, dressed second on its result, leaves them be) and its torso wears the
 * top (dressed over the skirt's waistband). OUTFIT_DEBUG_DIR=<dir> writes the three pictures there.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { syntheticBottom } from '@fitroom/engine/testing';
import sharp from 'sharp';
import { readFixture } from '../testing/fixtures.js';
import { createTestContext, fetchSigned, postTryOn, type TestContext, uploadPhoto } from '../testing/test-server.js';

const DEBUG = process.env.OUTFIT_DEBUG_DIR;

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext({ vision: true, env: { ENGINE: 'composite', SYNC_TIMEOUT_S: '180' } });
  await ctx.deps.accounts.update(ctx.accountId, { maxOutfitItems: 2 });
});
after(() => ctx.close());

type Region = { left: number; top: number; width: number; height: number };
const pixels = async (img: Buffer, r: Region) => sharp(img).removeAlpha().extract(r).raw().toBuffer();
const meanAbsDiff = (a: Buffer, b: Buffer) => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += Math.abs(a[i]! - b[i]!);
  return d / a.length;
};

test('composite engine: a top and a drawn skirt in one generation, on a fixture person, end to end', async () => {
  const { imageId } = (await uploadPhoto(ctx, readFixture('person', 'woman-2.png'))).body;
  const files = {
    tee: { filename: 'tee.jpg', contentType: 'image/jpeg', data: readFixture('garment', 'upper-4.jpg') },
    skirt: { filename: 'skirt.png', contentType: 'image/png', data: await syntheticBottom('skirt') },
  };
  const person = { image: { source: { id: imageId } } };
  const tee = { externalId: 'tee-4', title: 'Printed cotton T-shirt', images: [{ source: { fileKey: 'tee' } }] };
  const skirt = { externalId: 'skirt-a', title: 'Striped A-line skirt', images: [{ source: { fileKey: 'skirt' } }] };

  const before = await ctx.deps.credits.balance(ctx.accountId);
  // The top named first: the layer order puts the skirt first all the same.
  const res = await postTryOn(ctx, { products: [tee, skirt], person }, files, { sync: true });
  assert.equal(res.statusCode, 200, res.body);
  const gen = res.json();
  assert.equal(gen.status, 'COMPLETED', JSON.stringify(gen));
  assert.deepEqual(gen.productExternalIds, ['tee-4', 'skirt-a']);
  assert.equal(await ctx.deps.credits.balance(ctx.accountId), before - 2);

  const alone = await postTryOn(ctx, { products: [{ externalId: 'skirt-a' }], person }, {}, { sync: true });
  assert.equal(alone.json().status, 'COMPLETED', alone.body);

  const outfit = (await fetchSigned(ctx, gen.resultImageUrl)).rawPayload;
  const skirtOnly = (await fetchSigned(ctx, alone.json().resultImageUrl)).rawPayload;
  const personRow = await ctx.deps.images.find(ctx.deps.db, ctx.accountId, imageId);
  const photo = (await ctx.deps.blobs.get(personRow!.blob_key))!.data as Buffer;
  if (DEBUG) {
    writeFileSync(join(DEBUG, 'outfit-person.png'), photo);
    writeFileSync(join(DEBUG, 'outfit-skirt-only.png'), skirtOnly);
    writeFileSync(join(DEBUG, 'outfit-top-and-skirt.png'), outfit);
  }
  const [pm, om] = await Promise.all([sharp(photo).metadata(), sharp(outfit).metadata()]);
  assert.deepEqual([om.width, om.height], [pm.width, pm.height], 'same size as the person photo');
  const w = pm.width!;
  const h = pm.height!;
  const band = (top: number, height: number, left = 0.4, width = 0.2): Region => ({
    left: Math.round(w * left),
    top: Math.round(h * top),
    width: Math.round(w * width),
    height: Math.round(h * height),
  });

  const head = band(0, 0.1, 0, 1);
  assert.ok((await pixels(outfit, head)).equals(await pixels(photo, head)), 'the head is byte-identical');

  // The chest: the top was dressed there (it differs from the photo and from the skirt-only result).
  const chest = band(0.33, 0.08);
  const chestVsPhoto = meanAbsDiff(await pixels(outfit, chest), await pixels(photo, chest));
  const chestVsSkirt = meanAbsDiff(await pixels(outfit, chest), await pixels(skirtOnly, chest));
  assert.ok(chestVsPhoto > 10, `the chest wears the top (vs the photo: ${chestVsPhoto.toFixed(1)})`);
  assert.ok(chestVsSkirt > 10, `the chest wears the top (vs the skirt alone: ${chestVsSkirt.toFixed(1)})`);

  // The thighs: the skirt (it differs from the photo, and is close to the skirt-only result there).
  const thighs = band(0.6, 0.08);
  const thighsVsPhoto = meanAbsDiff(await pixels(outfit, thighs), await pixels(photo, thighs));
  const thighsVsSkirt = meanAbsDiff(await pixels(outfit, thighs), await pixels(skirtOnly, thighs));
  assert.ok(thighsVsPhoto > 10, `the thighs wear the skirt (vs the photo: ${thighsVsPhoto.toFixed(1)})`);
  assert.ok(
    thighsVsSkirt < thighsVsPhoto / 3,
    `the thighs wear the same skirt as alone (${thighsVsSkirt.toFixed(1)} vs ${thighsVsPhoto.toFixed(1)})`,
  );
});
