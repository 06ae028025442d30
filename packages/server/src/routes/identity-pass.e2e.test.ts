/**
 * The identity pass through the API (VISION on: the body map comes from the vision worker threads), on FASHN's fake,
 * whose results shift every colour and blur the whole frame as a diffusion model's re-rendering does. With the pass
 * (the deployment's default) the head band of the result is the person photo's to the byte and the torso is the
 * engine's; an account whose pass is turned off through the admin API gets FASHN's frame as it came.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type FakeFashn, startFakeFashn } from '@fitroom/engine/testing';
import sharp from 'sharp';
import { adminClient } from '../testing/admin-client.js';
import { readFixture } from '../testing/fixtures.js';
import { createTestContext, fetchSigned, postTryOn, type TestContext, uploadPhoto } from '../testing/test-server.js';

const FASHN_KEY = 'fa-identity-e2e-key-0123456789';

let ctx: TestContext;
let fashn: FakeFashn;
before(async () => {
  fashn = await startFakeFashn({ apiKey: FASHN_KEY, pollsBeforeDone: 0 });
  ctx = await createTestContext({
    vision: true,
    env: { ENGINE: 'fashn', FASHN_API_KEY: FASHN_KEY, FASHN_BASE_URL: fashn.baseUrl, SYNC_TIMEOUT_S: '120' },
  });
});
after(async () => {
  await ctx.close();
  await fashn.close();
});

type Box = { left: number; top: number; width: number; height: number };
const pixels = (img: Uint8Array, box: Box) => sharp(img).removeAlpha().extract(box).raw().toBuffer();

/** Mean absolute difference per channel value (0–255) of two images over `box`. */
async function meanDiff(a: Uint8Array, b: Uint8Array, box: Box): Promise<number> {
  const [pa, pb] = await Promise.all([pixels(a, box), pixels(b, box)]);
  let sum = 0;
  for (let i = 0; i < pa.length; i++) sum += Math.abs(pa[i]! - pb[i]!);
  return sum / pa.length;
}

async function tryOnAs(apiKey: string, imageId: string) {
  const res = await postTryOn(
    ctx,
    {
      products: [{ externalId: 'tee', title: 'Printed cotton T-shirt', images: [{ source: { fileKey: 'tee' } }] }],
      person: { image: { source: { id: imageId } } },
    },
    { tee: { filename: 'tee.jpg', contentType: 'image/jpeg', data: readFixture('garment', 'upper-4.jpg') } },
    { sync: true, apiKey },
  );
  assert.equal(res.statusCode, 200, res.body);
  const gen = res.json();
  assert.equal(gen.status, 'COMPLETED', JSON.stringify(gen));
  return (await fetchSigned(ctx, gen.resultImageUrl)).rawPayload;
}

test("identity pass: on by default (the person's head kept to the byte), off per account", async (t) => {
  const off = await ctx.newAccount(5);
  await adminClient(ctx).json('PATCH', `/admin/v1/accounts/${off.id}`, { identityPass: false });

  const photos = await Promise.all(
    [ctx.apiKey, off.apiKey].map(async (key) => {
      const { imageId } = (await uploadPhoto(ctx, readFixture('person', 'woman-2.png'), {}, key)).body;
      const row = await ctx.deps.images.find(ctx.deps.db, key === ctx.apiKey ? ctx.accountId : off.id, imageId);
      return { imageId, person: (await ctx.deps.blobs.get(row!.blob_key))!.data };
    }),
  );
  const withPass = await tryOnAs(ctx.apiKey, photos[0]!.imageId);
  const withoutPass = await tryOnAs(off.apiKey, photos[1]!.imageId);

  const meta = await sharp(photos[0]!.person).metadata();
  const [w, h] = [meta.width!, meta.height!];
  const head: Box = { left: 0, top: 0, width: w, height: Math.round(h * 0.1) };
  const torso: Box = {
    left: Math.round(w * 0.4),
    top: Math.round(h * 0.35),
    width: Math.round(w * 0.2),
    height: Math.round(h * 0.1),
  };
  const measured = {
    headWith: await meanDiff(withPass, photos[0]!.person, head),
    headWithout: await meanDiff(withoutPass, photos[1]!.person, head),
    torsoWith: await meanDiff(withPass, photos[0]!.person, torso),
  };
  t.diagnostic(`mean abs diff to the person photo: ${JSON.stringify(measured)}`);

  assert.ok(
    (await pixels(withPass, head)).equals(await pixels(photos[0]!.person, head)),
    'with the pass, the head band is the person photo to the byte',
  );
  assert.ok(measured.torsoWith > 3, "with the pass, the torso is FASHN's (its drift shows there)");
  assert.ok(measured.headWithout > 3, "without the pass, FASHN's drift and blur reach the head");
  assert.equal(fashn.runs.length, 2);
});
