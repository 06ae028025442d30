/**
 * A real try-on through the API on the default engine (composite, in the vision worker threads): upload a fixture
 * person, try a flat-lay top on, and check the result — same size as the person photo, changed on the torso, and the
 * head untouched to the pixel.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { readFixture } from '../testing/fixtures.js';
import { createTestContext, fetchSigned, postTryOn, type TestContext, uploadPhoto } from '../testing/test-server.js';

let ctx: TestContext;
before(async () => {
  ctx = await createTestContext({ vision: true, env: { ENGINE: 'composite', SYNC_TIMEOUT_S: '120' } });
});
after(() => ctx.close());

const pixels = async (img: Buffer, region: { left: number; top: number; width: number; height: number }) =>
  sharp(img).removeAlpha().extract(region).raw().toBuffer();

test('composite engine: a flat-lay tee on a person, end to end through the API', async () => {
  const { imageId } = (await uploadPhoto(ctx, readFixture('person', 'woman-2.png'))).body;

  const res = await postTryOn(
    ctx,
    {
      products: [{ externalId: 'tee-1', title: 'Printed cotton T-shirt', images: [{ source: { fileKey: 'tee' } }] }],
      person: { image: { source: { id: imageId } } },
    },
    { tee: { filename: 'tee.jpg', contentType: 'image/jpeg', data: readFixture('garment', 'upper-4.jpg') } },
    { sync: true },
  );
  assert.equal(res.statusCode, 200, res.body);
  const gen = res.json();
  assert.equal(gen.status, 'COMPLETED', JSON.stringify(gen));

  const result = (await fetchSigned(ctx, gen.resultImageUrl)).rawPayload;
  const personRow = await ctx.deps.images.find(ctx.deps.db, ctx.accountId, imageId);
  const person = (await ctx.deps.blobs.get(personRow!.blob_key))!.data;
  const [pm, rm] = await Promise.all([sharp(person).metadata(), sharp(result).metadata()]);
  assert.deepEqual([rm.width, rm.height], [pm.width, pm.height], 'same size as the person photo');

  const w = pm.width!;
  const h = pm.height!;
  // Top of the frame (hair, face): never touched.
  const head = { left: 0, top: 0, width: w, height: Math.round(h * 0.1) };
  assert.ok((await pixels(result, head)).equals(await pixels(person, head)), 'the head region is byte-identical');
  // Middle of the torso: dressed.
  const torso = {
    left: Math.round(w * 0.4),
    top: Math.round(h * 0.35),
    width: Math.round(w * 0.2),
    height: Math.round(h * 0.1),
  };
  const [a, b] = await Promise.all([pixels(result, torso), pixels(person, torso)]);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff += Math.abs(a[i]! - b[i]!);
  assert.ok(diff / a.length > 10, `the torso changed (mean abs diff ${(diff / a.length).toFixed(1)})`);
});
