import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { ManualClock } from '../ports/clock.js';
import { readFixture, testDataPath } from '../testing/fixtures.js';
import {
  createTestContext,
  fetchSigned as fetchSignedUrl,
  multipart,
  type TestContext,
} from '../testing/test-server.js';

/** A PNG whose header claims `width`×`height` pixels (a decompression bomb needs no real pixel data to be refused). */
function pngHeader(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(1024))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('POST /images/upload', () => {
  let ctx: TestContext;
  let clock: ManualClock;
  const upload = async (parts: Parameters<typeof multipart>[0], key = ctx.apiKey) => {
    const form = multipart(parts);
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/tryon/v1/images/upload',
      headers: { 'x-api-key': key, ...form.headers },
      payload: form.payload,
    });
    return { status: res.statusCode, body: res.json() };
  };
  const file = (data: Uint8Array, contentType = 'image/jpeg', filename = 'photo.jpg') => ({
    name: 'file',
    filename,
    contentType,
    data,
  });
  const fetchSigned = (url: string) => fetchSignedUrl(ctx, url);
  const blobFiles = async () => (await ctx.blobKeys()).filter((k) => k.startsWith(`${ctx.accountId}/images/`)).length;

  before(async () => {
    clock = new ManualClock('2026-05-13T10:00:00.000Z');
    // The clock is set in May 2026: a bucket judges presigned URLs by real time and would call them expired, so the
    // blobs stay on local disk in the scale-out pass (the S3 store's own tests cover its URLs).
    ctx = await createTestContext({ clock, localBlobs: true });
  });
  after(() => ctx.close());

  test('a JPEG with crop=false → {imageId, imageUrl}; the stored image keeps its aspect ratio', async () => {
    const jpeg = await sharp(readFixture('person', 'woman-1.jpg')).resize(600, 400, { fit: 'fill' }).jpeg().toBuffer();
    const res = await upload([file(jpeg), { name: 'crop', value: 'false' }]);
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body).sort(), ['imageId', 'imageUrl']);
    assert.match(res.body.imageId, /^img_[0-9a-z]{20}$/);
    const stored = await fetchSigned(res.body.imageUrl);
    assert.equal(stored.statusCode, 200);
    assert.equal(stored.headers['content-type'], 'image/jpeg');
    const meta = await sharp(stored.rawPayload).metadata();
    assert.deepEqual([meta.width, meta.height], [600, 400]);
  });

  test('PNG, WebP and HEIC (iPhone) are accepted and stored as JPEG', async () => {
    const png = readFixture('person', 'woman-2.png');
    const webp = await sharp(png).webp().toBuffer();
    const heic = readFileSync(testDataPath('synthetic-320x400.heic'));
    for (const [data, type] of [
      [png, 'image/png'],
      [webp, 'image/webp'],
      [heic, 'image/heic'],
    ] as const) {
      const res = await upload([file(data, type, 'x'), { name: 'crop', value: 'false' }]);
      assert.equal(res.status, 200, `${type}: ${JSON.stringify(res.body)}`);
      const meta = await sharp((await fetchSigned(res.body.imageUrl)).rawPayload).metadata();
      assert.equal(meta.format, 'jpeg', type);
      if (type === 'image/heic') assert.deepEqual([meta.width, meta.height], [320, 400]);
    }
  });

  test('EXIF orientation is applied and every metadata block (GPS included) is stripped', async () => {
    const base = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#808080' } })
      .jpeg()
      .toBuffer();
    const rotated = await sharp(base)
      .withMetadata({ orientation: 6 })
      .withExifMerge({
        IFD0: { Artist: 'someone' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 2959/100' },
      })
      .jpeg()
      .toBuffer();
    const inMeta = await sharp(rotated).metadata();
    assert.equal(inMeta.orientation, 6);
    assert.ok(inMeta.exif, 'the input really carries EXIF');
    const res = await upload([file(rotated), { name: 'crop', value: 'false' }]);
    const out = await sharp((await fetchSigned(res.body.imageUrl)).rawPayload).metadata();
    assert.deepEqual([out.width, out.height], [200, 300], 'rotated upright');
    assert.equal(out.exif, undefined);
    assert.equal(out.xmp, undefined);
    assert.equal(out.icc, undefined);
    assert.equal(out.orientation, undefined);
  });

  test('errors: FILE_REQUIRED, INVALID_IMAGE (garbage, truncated, bomb), FILE_TOO_LARGE; nothing is stored', async () => {
    const before = await blobFiles();
    const noFile = await upload([{ name: 'crop', value: 'false' }]);
    assert.equal(noFile.body.code, 'FILE_REQUIRED');
    const json = await ctx.app.inject({
      method: 'POST',
      url: '/tryon/v1/images/upload',
      headers: { 'x-api-key': ctx.apiKey, 'content-type': 'application/json' },
      payload: '{}',
    });
    assert.equal(json.json().code, 'FILE_REQUIRED');

    const garbage = await upload([file(Buffer.from('0123456789'))]);
    assert.equal(garbage.status, 400);
    assert.equal(garbage.body.code, 'INVALID_IMAGE');
    const jpeg = readFixture('person', 'woman-1.jpg');
    const truncated = await upload([file(jpeg.subarray(0, Math.floor(jpeg.length / 2)))]);
    assert.equal(truncated.body.code, 'INVALID_IMAGE');
    const bomb = await upload([file(pngHeader(10_000, 5_000), 'image/png')]);
    assert.equal(bomb.body.code, 'INVALID_IMAGE');
    assert.match(bomb.body.message, /40 megapixels/);

    const big = Buffer.concat([jpeg, Buffer.alloc(11 * 1024 * 1024)]);
    const tooLarge = await upload([file(big)]);
    assert.equal(tooLarge.status, 413);
    assert.equal(tooLarge.body.code, 'FILE_TOO_LARGE');
    assert.equal(await blobFiles(), before);
  });

  test('FILE_REQUIRED for a body of any kind without a `file` part (form-urlencoded, text, bad JSON, none)', async () => {
    // Genlook: FILE_REQUIRED "when there is no file field". These were 400 VALIDATION_FAILED (unsupported or
    // unparsable body) before the handler could say so.
    for (const [contentType, payload] of [
      ['application/x-www-form-urlencoded', 'crop=false&externalUserId=u1'],
      ['text/plain', 'a photo'],
      ['application/json', '{"file": '],
      ['application/json', ''],
      ['image/jpeg', readFixture('person', 'woman-1.jpg')],
      [undefined, 'bytes without a content type'],
    ] as const) {
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/tryon/v1/images/upload',
        headers: { 'x-api-key': ctx.apiKey, ...(contentType ? { 'content-type': contentType } : {}) },
        payload,
      });
      assert.equal(res.statusCode, 400, `${contentType}: ${res.body}`);
      assert.deepEqual(res.json(), {
        code: 'FILE_REQUIRED',
        message: 'A multipart file field named "file" is required.',
        status: 400,
      });
    }
    // Still first: the key, and a body over the limit; a multipart body that cannot be read stays VALIDATION_FAILED.
    const anonymous = await ctx.app.inject({
      method: 'POST',
      url: '/tryon/v1/images/upload',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'a=b',
    });
    assert.equal(anonymous.json().code, 'MISSING_API_KEY');
    const broken = await ctx.app.inject({
      method: 'POST',
      url: '/tryon/v1/images/upload',
      headers: { 'x-api-key': ctx.apiKey, 'content-type': 'multipart/form-data; boundary=xyz' },
      payload: '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n\r\nabc',
    });
    assert.equal(broken.json().code, 'VALIDATION_FAILED');
  });

  test('keepForDays / externalUserId and their deprecated aliases; bad values → VALIDATION_FAILED with the path', async () => {
    const png = readFixture('person', 'woman-2.png');
    const a = await upload([
      file(png, 'image/png'),
      { name: 'keepForDays', value: '3' },
      { name: 'externalUserId', value: 'u1' },
      { name: 'crop', value: 'false' },
    ]);
    const b = await upload([
      file(png, 'image/png'),
      { name: 'retentionDays', value: '7' },
      { name: 'customerId', value: 'u1' },
      { name: 'crop', value: 'false' },
    ]);
    const rowA = await ctx.deps.images.find(ctx.deps.db, ctx.accountId, a.body.imageId);
    const rowB = await ctx.deps.images.find(ctx.deps.db, ctx.accountId, b.body.imageId);
    assert.equal(rowA?.external_user_id, 'u1');
    assert.equal(rowB?.external_user_id, 'u1');
    assert.equal(rowA?.expires_at, '2026-05-16T10:00:00.000Z');
    assert.equal(rowB?.expires_at, '2026-05-20T10:00:00.000Z');

    const bad = await upload([file(png, 'image/png'), { name: 'keepForDays', value: '5' }]);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'VALIDATION_FAILED');
    assert.equal(bad.body.details[0].path, 'keepForDays');
    const badCrop = await upload([file(png, 'image/png'), { name: 'crop', value: 'maybe' }]);
    assert.equal(badCrop.body.details[0].path, 'crop');
  });

  test('imageUrl is signed and expires; it never outlives the image', async () => {
    const res = await upload([
      file(readFixture('person', 'woman-2.png'), 'image/png'),
      { name: 'keepForDays', value: '1' },
      { name: 'crop', value: 'false' },
    ]);
    const url = new URL(res.body.imageUrl);
    assert.ok(Number(url.searchParams.get('exp')) * 1000 <= clock.now().getTime() + 3600_000);
    assert.equal((await fetchSigned(res.body.imageUrl)).statusCode, 200);
    const otherKey = url.pathname.replace(/img_[0-9a-z]+/, 'img_aaaaaaaaaaaaaaaaaaaa');
    assert.equal(
      (await ctx.app.inject({ url: otherKey + url.search })).statusCode,
      403,
      'a signature is bound to its key',
    );
    clock.advance(3601_000);
    const expired = await fetchSigned(res.body.imageUrl);
    assert.equal(expired.statusCode, 403);
    assert.equal(JSON.parse(expired.body).code, 'FORBIDDEN');
  });
});
