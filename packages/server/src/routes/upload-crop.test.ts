/**
 * The person-aware 4:5 crop of POST /images/upload, with the real vision models: every person fixture comes out
 * exactly 4:5, and whatever of the head and the feet was inside the original photo is inside the crop too.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createEnginePool, type EnginePool, type PersonDetection } from '@fitroom/engine';
import sharp from 'sharp';
import { fixturePath, readFixture } from '../testing/fixtures.js';
import { createTestContext, fetchSigned, type TestContext, uploadPhoto } from '../testing/test-server.js';

const MIN = 0.3;
/** What of the body is visibly inside a photo: the face's top edge, and each ankle. */
function visible(d: PersonDetection) {
  const ankle = (name: string) => d.keypoints.find((k) => k.part === name && k.score >= MIN && k.y < d.height - 2);
  return {
    headTop: d.face ? d.face.box[1] > 1 : false,
    feet: Boolean(ankle('leftAnkle') || ankle('rightAnkle')),
  };
}

describe('person-aware crop on upload (vision models)', () => {
  let ctx: TestContext;
  let analysis: EnginePool;
  before(async () => {
    ctx = await createTestContext({ vision: true, workers: false });
    analysis = createEnginePool({ threads: 1 });
  });
  after(async () => {
    await analysis.close();
    await ctx.close();
  });

  for (const name of readdirSync(fixturePath('person')).sort()) {
    test(`${name}: exactly 4:5, head and feet kept when the photo had them`, async () => {
      const original = readFixture('person', name);
      const res = await uploadPhoto(ctx, original);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const cropped = (await fetchSigned(ctx, res.body.imageUrl)).rawPayload;
      const meta = await sharp(cropped).metadata();
      assert.equal(meta.width! * 5, meta.height! * 4, `${meta.width}x${meta.height} is 4:5`);

      const before = visible(await analysis.detectPerson(original));
      const afterCrop = await analysis.detectPerson(cropped);
      const now = visible(afterCrop);
      assert.ok(afterCrop.score > 0, 'the person is still found in the crop');
      if (before.headTop) assert.ok(now.headTop, 'the top of the head is inside the crop');
      if (before.feet) assert.ok(now.feet, 'the feet are inside the crop');
    });
  }

  // The fixtures are framed almost 4:5 already, so a plain centre crop keeps them too; these placements are not.
  for (const [label, canvas, left, top] of [
    ['off-centre in a wide photo', { width: 2400, height: 1100 }, 40, 40],
    ['at the top of a tall photo', { width: 800, height: 2600 }, 16, 20],
  ] as const) {
    test(`woman-2 ${label}: the crop follows the person, head and feet inside`, async () => {
      const person = readFixture('person', 'woman-2.png');
      const background = await sharp(person)
        .extract({ left: 0, top: 0, width: 8, height: 8 })
        .resize(1, 1)
        .raw()
        .toBuffer();
      const photo = await sharp({
        create: { ...canvas, channels: 3, background: { r: background[0]!, g: background[1]!, b: background[2]! } },
      })
        .composite([{ input: person, left, top }])
        .jpeg({ quality: 92 })
        .toBuffer();
      const res = await uploadPhoto(ctx, photo);
      const cropped = (await fetchSigned(ctx, res.body.imageUrl)).rawPayload;
      const meta = await sharp(cropped).metadata();
      assert.equal(meta.width! * 5, meta.height! * 4);
      const seen = visible(await analysis.detectPerson(cropped));
      assert.deepEqual(seen, { headTop: true, feet: true });
    });
  }

  test('a photo with nobody in it gets a centred 4:5 crop', async () => {
    const blank = await sharp({ create: { width: 900, height: 600, channels: 3, background: '#c0c8d0' } })
      .png()
      .toBuffer();
    const res = await uploadPhoto(ctx, blank);
    const meta = await sharp((await fetchSigned(ctx, res.body.imageUrl)).rawPayload).metadata();
    assert.deepEqual([meta.width, meta.height], [480, 600]);
  });
});
