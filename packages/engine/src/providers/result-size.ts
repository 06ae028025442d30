/**
 * Hosted engines answer at their own resolution (FASHN's v1.6: 864×1296) and take inputs up to a limit: the person
 * photo is scaled down to the engine's largest side before it is sent, and the result is brought back to the person
 * photo's pixel size, as the engine port promises (TryOnOutput: "same pixel size as the person photo").
 */
import sharp, { type Metadata } from 'sharp';
import { EngineError, type TryOnOutput } from '../engine.js';

export async function sizeOf(bytes: Uint8Array): Promise<{ width: number; height: number }> {
  try {
    const meta = await sharp(bytes).metadata();
    return { width: meta.autoOrient?.width ?? meta.width ?? 0, height: meta.autoOrient?.height ?? meta.height ?? 0 };
  } catch {
    throw new EngineError('INVALID_IMAGE', 'The person image could not be decoded.');
  }
}

/** The person photo as sent to an engine taking at most `maxSide` pixels on its longer side (JPEG, q 92). */
export async function fitToMaxSide(person: Uint8Array, maxSide: number | null): Promise<Uint8Array> {
  if (!maxSide) return person;
  const { width, height } = await sizeOf(person);
  if (Math.max(width, height) <= maxSide) return person;
  return new Uint8Array(
    await sharp(person).resize(maxSide, maxSide, { fit: 'inside' }).jpeg({ quality: 92 }).toBuffer(),
  );
}

/**
 * The most pixels a provider's result may decode to (sharp's own default is 268 M): hosted engines answer at around
 * a megapixel (FASHN 864×1296), and a decompression bomb from a broken provider must not take a worker's memory.
 */
const MAX_RESULT_PIXELS = 50_000_000;

/** The engine's result at the person photo's size (resized only when it differs; PNG stays PNG). */
export async function resultAtPersonSize(
  provider: string,
  result: Uint8Array,
  person: Uint8Array,
): Promise<TryOnOutput> {
  let meta: Metadata;
  try {
    meta = await sharp(result).metadata();
  } catch {
    throw new EngineError('ENGINE_FAILED', `${provider} answered an image that cannot be decoded.`, true);
  }
  if ((meta.width ?? 0) * (meta.height ?? 0) > MAX_RESULT_PIXELS) {
    throw new EngineError('ENGINE_FAILED', `${provider} answered an image larger than ${MAX_RESULT_PIXELS} pixels.`);
  }
  const target = await sizeOf(person);
  const png = meta.format === 'png';
  const contentType = png ? 'image/png' : 'image/jpeg';
  if (meta.width === target.width && meta.height === target.height && (png || meta.format === 'jpeg')) {
    return { image: result, contentType, width: target.width, height: target.height };
  }
  const resized = sharp(result, { limitInputPixels: MAX_RESULT_PIXELS }).resize(target.width, target.height, {
    fit: 'fill',
  });
  const image = png ? await resized.png().toBuffer() : await resized.jpeg({ quality: 92 }).toBuffer();
  return {
    image: new Uint8Array(image),
    contentType,
    width: target.width,
    height: target.height,
    diagnostics: { engineSize: [meta.width, meta.height] },
  };
}
