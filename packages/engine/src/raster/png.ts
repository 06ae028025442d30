/** PNG encoding of a raw image through sharp (lossless: pixels outside the garment stay exactly the person's). */
import sharp from 'sharp';
import type { RawImage } from '../vision/types.js';

export async function encodePng(img: RawImage): Promise<Uint8Array> {
  const buf = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } })
    .png({ compressionLevel: 6 })
    .toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}
