/**
 * Turns untrusted image bytes into a clean, stored-ready image: format sniffed (JPEG, PNG, WebP, HEIC/HEIF, AVIF),
 * pixel count bounded before any full decode (decompression bombs), EXIF orientation applied, converted to sRGB,
 * every metadata block (GPS included) dropped, optionally person-aware cropped to 4:5, encoded as JPEG.
 */
import heicDecode from 'heic-decode';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { ApiError } from '../errors.js';
import type { DecodedImage, NormalizedImage, PersonCropper } from '../ports/person-cropper.js';

export interface NormalizeOptions {
  maxPixels: number;
  /** Longest side of the stored image; larger photos are scaled down (never up). */
  maxSide?: number;
  crop?: PersonCropper | null;
}

const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1']);

function isHeif(buf: Uint8Array): boolean {
  if (buf.length < 12) return false;
  const box = Buffer.from(buf.buffer, buf.byteOffset, 12);
  return box.toString('latin1', 4, 8) === 'ftyp' && HEIF_BRANDS.has(box.toString('latin1', 8, 12));
}

const invalid = (why?: string) =>
  new ApiError('INVALID_IMAGE', why ?? 'The file is not a readable JPEG, PNG, WebP or HEIC image.');
const tooManyPixels = (maxPixels: number) =>
  new ApiError('INVALID_IMAGE', `The image has more than ${Math.round(maxPixels / 1e6)} megapixels.`);

/** sharp's prebuilt libvips decodes AVIF but not HEVC-coded HEIC (iPhone photos): those go through libheif (wasm). */
async function openHeic(buf: Uint8Array, maxPixels: number): Promise<Sharp> {
  let images: Awaited<ReturnType<typeof heicDecode.all>>;
  try {
    images = await heicDecode.all({ buffer: buf });
  } catch {
    throw invalid();
  }
  try {
    const primary = images[0];
    if (!primary) throw invalid();
    // Dimensions are known before the pixels are decoded: refuse bombs without allocating them.
    if (primary.width * primary.height > maxPixels) throw tooManyPixels(maxPixels);
    const { width, height, data } = await primary.decode();
    return sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
      raw: { width, height, channels: 4 },
    });
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw invalid();
  } finally {
    images.dispose();
  }
}

/** Opens untrusted bytes as a sharp pipeline, oriented, with the pixel limit enforced. */
export async function openImage(buf: Uint8Array, maxPixels: number): Promise<Sharp> {
  return (await open(buf, maxPixels)).img;
}

/** `openImage`, with the header metadata it read (null when libvips could not read one: HEVC-coded HEIC). */
async function open(buf: Uint8Array, maxPixels: number): Promise<{ img: Sharp; meta: Metadata | null }> {
  if (buf.length < 16) throw invalid('The file is too small to be an image.');
  let meta: Metadata | null = null;
  try {
    // limitInputPixels: false here; the check below gives the contract's message instead of a libvips error.
    meta = await sharp(buf, { limitInputPixels: false }).metadata();
  } catch {
    meta = null;
  }
  if (!meta?.width || !meta.height) {
    if (isHeif(buf)) return { img: await openHeic(buf, maxPixels), meta };
    throw invalid();
  }
  if (!['jpeg', 'png', 'webp', 'heif', 'avif'].includes(meta.format ?? '')) throw invalid();
  // libvips reads a HEIC's header but cannot decode HEVC pixels (only AV1): route those through libheif.
  if (meta.format === 'heif' && meta.compression !== 'av1') return { img: await openHeic(buf, maxPixels), meta };
  if (meta.width * meta.height > maxPixels) throw tooManyPixels(maxPixels);
  // failOn 'error' rejects truncated files instead of silently returning grey rows.
  return { img: sharp(buf, { limitInputPixels: maxPixels, failOn: 'error' }).rotate(), meta };
}

/** Decodes to oriented sRGB RGB pixels (alpha flattened onto white), scaled down to fit `maxSide`. */
export async function decodeImage(
  buf: Uint8Array,
  opts: { maxPixels: number; maxSide: number },
): Promise<DecodedImage> {
  const img = await openImage(buf, opts.maxPixels);
  try {
    const { data, info } = await img
      .resize({ width: opts.maxSide, height: opts.maxSide, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .toColorspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: 3 };
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw invalid();
  }
}

export async function encodeJpeg(image: DecodedImage, quality = 90): Promise<NormalizedImage> {
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
  return { data, contentType: 'image/jpeg', width: image.width, height: image.height };
}

/** The upload pipeline of POST /images/upload (and person images given to /try-on by url or fileKey). */
export async function normalizePersonPhoto(buf: Uint8Array, opts: NormalizeOptions): Promise<NormalizedImage> {
  const decoded = await decodeImage(buf, { maxPixels: opts.maxPixels, maxSide: opts.maxSide ?? 2048 });
  if (opts.crop) return opts.crop.crop(decoded);
  return encodeJpeg(decoded);
}

/**
 * Product images are stored close to as given (they are the engine's input, so no crop), but re-encoded through the
 * same decoder: this validates them, applies orientation, strips metadata and turns HEIC into something we serve.
 * PNG stays PNG so transparent cut-outs keep their alpha.
 */
export async function normalizeProductImage(
  buf: Uint8Array,
  opts: { maxPixels: number; maxSide?: number },
): Promise<{ data: Buffer; contentType: 'image/jpeg' | 'image/png'; width: number; height: number }> {
  const { img, meta } = await open(buf, opts.maxPixels);
  const keepAlpha = meta?.format === 'png' || meta?.format === 'webp' ? Boolean(meta?.hasAlpha) : false;
  try {
    const pipeline = img
      .resize({ width: opts.maxSide ?? 2048, height: opts.maxSide ?? 2048, fit: 'inside', withoutEnlargement: true })
      .toColorspace('srgb');
    const { data, info } = keepAlpha
      ? await pipeline.png().toBuffer({ resolveWithObject: true })
      : await pipeline.flatten({ background: '#ffffff' }).jpeg({ quality: 92 }).toBuffer({ resolveWithObject: true });
    return { data, contentType: keepAlpha ? 'image/png' : 'image/jpeg', width: info.width, height: info.height };
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw invalid();
  }
}
