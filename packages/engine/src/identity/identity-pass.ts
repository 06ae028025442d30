/**
 * The identity pass: an external engine's result (a diffusion model on a GPU box, a hosted provider) keeps only the
 * garment region of what the engine drew; every other pixel is the person photo's own. Diffusion try-ons redraw the
 * whole frame — faces, hands, skin tone and background drift — and this pass is what makes them as faithful outside
 * the garment as the composite engine.
 *
 * Two steps, because the first needs the vision models and the second only pixels:
 * 1. `identityRegion` (in a worker thread: the pool's `identityRegion` task): the person's body map (the composite's
 *    parsing) and the product's category give the editable region and its feathered seam. It runs before the
 *    engine is called, so a photo it cannot read fails before a provider is paid.
 * 2. `applyIdentityPass`: the engine's result (resized to the person photo if the engine answered another size) is
 *    blended in by that weight, and the whole encoded as PNG, so that the pixels outside the region are exactly the
 *    decoded person photo's.
 */
import sharp from 'sharp';
import { bodyFrame } from '../body/frame.js';
import { parsePerson } from '../body/parsing.js';
import { EngineError, type TryOnEngine, type TryOnInput, type TryOnOutput } from '../engine.js';
import { analyzeGarment, type DetectFn, type GarmentCache, pickProductImage } from '../garment/analyze.js';
import type { GarmentCategory } from '../garment/classify.js';
import { encodePng } from '../raster/png.js';
import { decodeImage } from '../vision/person-detector.js';
import type { RawImage } from '../vision/types.js';
import { editableRegion, SEAM_SW, seamAlpha } from './editable-region.js';

/** Where the engine's pixels are kept, and how much of them, at the person photo's size. */
export interface IdentityRegion {
  width: number;
  height: number;
  /** Per pixel, the weight of the engine's pixel (0: the person's exactly; 255: the engine's). */
  alpha: Uint8Array;
  category: GarmentCategory;
  /** Where the category came from: the garment analysis, or `unknown` (analysis failed: the widest region). */
  categorySource: 'garment' | 'unknown';
}

export interface IdentityRegionContext {
  detect: DetectFn;
  cache?: GarmentCache;
}

/**
 * The product's category from the composite's garment analysis (cached per product image); when the analysis cannot
 * read the product (an engine may dress what the composite cannot cut out), the widest region: a dress's.
 */
async function categoryOf(
  input: TryOnInput,
  ctx: IdentityRegionContext,
): Promise<Pick<IdentityRegion, 'category' | 'categorySource'>> {
  try {
    const image = pickProductImage(input.product.images);
    const words = { title: input.product.title, description: input.product.description };
    const garment = await analyzeGarment(image, words, { cache: ctx.cache, detect: ctx.detect });
    return { category: garment.cls.category, categorySource: 'garment' };
  } catch (err) {
    if (!(err instanceof EngineError)) throw err;
    return { category: 'dress', categorySource: 'unknown' };
  }
}

/** Step 1: the editable region of this person for this product. NO_PERSON_DETECTED when the body cannot be read. */
export async function identityRegion(input: TryOnInput, ctx: IdentityRegionContext): Promise<IdentityRegion> {
  const person = await decodeImage(input.person);
  const { category, categorySource } = await categoryOf(input, ctx);
  const det = await ctx.detect(person);
  const frame = det.mask && det.keypoints.length > 0 ? bodyFrame(det) : null;
  if (!frame) {
    throw new EngineError(
      'NO_PERSON_DETECTED',
      "The person's shoulders are not visible: the try-on needs a photo showing the upper body.",
    );
  }
  const parsing = parsePerson(person, det, frame, { lower: category !== 'upper' });
  const region = editableRegion(parsing, category, det.face?.box ?? null);
  const alpha = seamAlpha(region, Math.max(2, Math.round(frame.shoulderWidth * SEAM_SW)));
  return { width: person.width, height: person.height, alpha, category, categorySource };
}

/** The engine's pixels blended into the person's by `alpha`; where alpha is 0 the person's bytes are copied. */
export function restoreIdentity(person: RawImage, result: RawImage, alpha: Uint8Array): RawImage {
  const { width: w, height: h } = person;
  if (result.width !== w || result.height !== h || person.channels !== 3 || result.channels !== 3) {
    throw new Error('restoreIdentity needs two RGB images of the same size');
  }
  const out = new Uint8Array(person.data);
  const src = result.data;
  for (let p = 0; p < w * h; p++) {
    const a = alpha[p]!;
    if (a === 0) continue;
    for (let c = 0; c < 3; c++) {
      const i = p * 3 + c;
      out[i] = Math.round(out[i]! + ((src[i]! - out[i]!) * a) / 255);
    }
  }
  return { data: out, width: w, height: h, channels: 3 };
}

/** Step 2: the engine's encoded result made faithful to the person outside the region; a PNG (lossless). */
export async function applyIdentityPass(
  personBytes: Uint8Array,
  output: TryOnOutput,
  region: IdentityRegion,
): Promise<TryOnOutput> {
  const person = await decodeImage(personBytes);
  if (person.width !== region.width || person.height !== region.height) {
    throw new EngineError('ENGINE_FAILED', 'The identity pass was computed on another image than the person photo.');
  }
  let result: RawImage;
  try {
    // Transparency flattened on white, like every decode of the engine; a result of another size (a provider that
    // works at its own resolution) is scaled to the person photo's before blending.
    const { data, info } = await sharp(output.image, { failOn: 'error' })
      .rotate()
      .toColourspace('srgb')
      .flatten({ background: '#ffffff' })
      .resize(region.width, region.height, { fit: 'fill' })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    result = {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
      channels: 3,
    };
  } catch (err) {
    throw new EngineError('ENGINE_FAILED', `The engine's result could not be decoded: ${(err as Error).message}`, true);
  }
  const image = await encodePng(restoreIdentity(person, result, region.alpha));
  return {
    image,
    contentType: 'image/png',
    width: region.width,
    height: region.height,
    diagnostics: {
      ...output.diagnostics,
      identity: {
        category: region.category,
        categorySource: region.categorySource,
        engineSize: [output.width, output.height],
      },
    },
  };
}

/** Computes the identity region of a try-on (the engine pool's `identityRegion`, or in-process in tests). */
export type IdentityRegionFn = (input: TryOnInput) => Promise<IdentityRegion>;

/**
 * An engine whose results get the identity pass, unless the try-on says otherwise (`identityPass`, the account's
 * choice; when the try-on does not say, `byDefault`: on unless the deployment turned it off). Same name as the
 * engine it wraps: the generation's engine stays the provider's.
 */
export class IdentityPassEngine implements TryOnEngine {
  readonly name: string;

  constructor(
    private readonly inner: TryOnEngine,
    private readonly regionOf: IdentityRegionFn,
    private readonly byDefault = true,
  ) {
    this.name = inner.name;
  }

  async tryOn(input: TryOnInput): Promise<TryOnOutput> {
    if (!(input.identityPass ?? this.byDefault)) return this.inner.tryOn(input);
    const region = await this.regionOf(input);
    const output = await this.inner.tryOn(input);
    return applyIdentityPass(input.person, output, region);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
