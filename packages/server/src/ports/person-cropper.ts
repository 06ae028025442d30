/**
 * The person-aware 4:5 crop of uploads (spec §2.1), computed by the engine's vision models on pixels the upload
 * pipeline has already decoded and validated. The adapter is engines.ts `PoolPersonCropper`; without vision the
 * upload pipeline falls back to a centred crop.
 */

/** A stored-ready image: JPEG, oriented, sRGB, no metadata. */
export interface NormalizedImage {
  data: Buffer;
  contentType: 'image/jpeg';
  width: number;
  height: number;
}

/** Decoded RGB pixels, oriented and in sRGB. */
export interface DecodedImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 3;
}

export interface PersonCropper {
  crop(image: DecodedImage): Promise<NormalizedImage>;
}
