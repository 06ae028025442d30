/**
 * The upload crop as the server runs it (PoolPersonCropper, the only crop path): the person is found by the pool on a
 * copy at most 1024 px long, and the window is mapped back to the full photo's pixels. Through the upload route:
 * routes/upload-crop.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createEnginePool, type EnginePool, personAwareCrop } from '@fitroom/engine';
import sharp from 'sharp';
import { PoolPersonCropper } from './engines.js';
import type { DecodedImage } from './ports/person-cropper.js';
import { readFixture } from './testing/fixtures.js';

let pool: EnginePool;
before(() => {
  pool = createEnginePool({ threads: 1 });
});
after(() => pool.close());

async function decode(encoded: Buffer): Promise<DecodedImage> {
  const { data, info } = await sharp(encoded).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 3 };
}

test('a big photo is analysed on a downscaled copy and its window mapped back to the full photo', async () => {
  const original = readFixture('person', 'woman-2.png'); // 768x1024: analysed as it is
  const small = personAwareCrop(await pool.detectPerson(original));
  const big = await sharp(original).resize(1536, 2048).png().toBuffer(); // analysed at 768x1024, window ×2
  const out = await new PoolPersonCropper(pool).crop(await decode(big));
  const meta = await sharp(out.data).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', out.width, out.height]);
  assert.equal(out.width * 5, out.height * 4);
  // The same person framed the same way, twice the pixels (a JPEG copy analysed: within a few percent).
  assert.ok(Math.abs(out.height - 2 * small.height) <= 0.03 * 2 * small.height, `${out.height} vs ${small.height}`);
});

test('without the vision pool: a centred 4:5 crop of the whole photo', async () => {
  const out = await new PoolPersonCropper(null).crop(await decode(readFixture('person', 'woman-2.png')));
  assert.deepEqual([out.contentType, out.width, out.height], ['image/jpeg', 768, 960]);
});
