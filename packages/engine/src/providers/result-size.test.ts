/** A provider's result image is brought to the person photo's size, and refused when it would decode too large. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { EngineError } from '../engine.js';
import { resultAtPersonSize } from './result-size.js';

const solid = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: '#4060a0' } })
    .png()
    .toBuffer()
    .then((b) => new Uint8Array(b));

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** A PNG whose header claims `width`×`height` (its pixels are never there: a decompression bomb's shape). */
function pngClaiming(width: number, height: number): Uint8Array {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(4 + body.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 4 + body.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', header),
      chunk('IDAT', deflateSync(Buffer.alloc(1 + width * 3))), // one row; the rest is never there
      chunk('IEND', Buffer.alloc(0)),
    ]),
  );
}

describe('resultAtPersonSize', () => {
  it('resizes a result of another size to the person photo’s, PNG staying PNG', async () => {
    const out = await resultAtPersonSize('FASHN', await solid(86, 130), await solid(300, 400));
    assert.deepEqual([out.width, out.height, out.contentType], [300, 400, 'image/png']);
    const meta = await sharp(out.image).metadata();
    assert.deepEqual([meta.width, meta.height], [300, 400]);
  });

  it('refuses a result that would decode past 50 megapixels, before decoding it', async () => {
    await assert.rejects(
      resultAtPersonSize('FASHN', pngClaiming(10_000, 10_000), await solid(300, 400)),
      (err: unknown) => err instanceof EngineError && err.code === 'ENGINE_FAILED' && /larger than/.test(err.message),
    );
  });
});
