import sharp, { type Metadata } from 'sharp';
import type { TryOnEngine, TryOnInput, TryOnOutput } from '../engine.js';
import { EngineError } from '../engine.js';

/**
 * The mock engine of the Genlook contract: the result is the person photo unchanged (spec §8). Integrations use it
 * (a product titled exactly `mock`) to test their flow without paying for, or waiting on, a real try-on.
 */
export class MockEngine implements TryOnEngine {
  readonly name = 'mock';

  async tryOn(input: TryOnInput): Promise<TryOnOutput> {
    let meta: Metadata;
    try {
      meta = await sharp(input.person).metadata();
    } catch {
      throw new EngineError('INVALID_IMAGE', 'The person image could not be decoded.');
    }
    const format = meta.format === 'png' ? 'image/png' : 'image/jpeg';
    if (meta.format !== 'png' && meta.format !== 'jpeg') {
      // Re-encode only when the stored person image is in a format we do not serve as a result.
      const image = await sharp(input.person).jpeg({ quality: 92 }).toBuffer();
      return { image, contentType: 'image/jpeg', width: meta.width ?? 0, height: meta.height ?? 0 };
    }
    return { image: input.person, contentType: format, width: meta.width ?? 0, height: meta.height ?? 0 };
  }

  async close(): Promise<void> {}
}
