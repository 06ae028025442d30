/**
 * Garment analysis: decode → cut out (flat-lay, or off a model) → landmarks → classification, cached per product
 * image by its content hash. The cut-out is the expensive, words-independent part, so that is what the cache holds
 * (in memory, LRU, inside each worker; optionally on disk so that restarts and sibling workers share it).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BodyFrame } from '../body/frame.js';
import { EngineError, type ProductImageInput } from '../engine.js';
import type { BinaryMask } from '../raster/mask.js';
import { erode } from '../raster/morphology.js';
import { decodeImage } from '../vision/person-detector.js';
import type { PersonDetection, RawImage } from '../vision/types.js';
import { asGarmentLandmarks, type BottomLandmarks, findBottomLandmarks, looksLikeBottom } from './bottoms.js';
import { classifyGarment, type GarmentClass, type ProductWords, unsupportedByWords, wordsSleeve } from './classify.js';
import { borderUniformity } from './cutout.js';
import { cutFlatLay } from './flat-lay.js';
import { findLandmarks, type GarmentLandmarks } from './landmarks.js';
import { isOffShoulder } from './off-shoulder.js';
import { cutGarmentOffModel, fillHemNotches, type OnModelOptions } from './on-model.js';
import { onModelLandmarks } from './on-model-landmarks.js';
import { MAX_SHOULDER_DROP, shoulderDrop } from './shoulder-drop.js';

/** Bump when the cut-out changes so that on-disk entries from older code are ignored. */
const CACHE_VERSION = 12;
/** Garments are analysed with their long side at most this: plenty for a ~300×500 px garment on a 768×1024 photo. */
export const GARMENT_MAX_SIDE = 768;

export interface GarmentCutout {
  image: RawImage;
  mask: BinaryMask;
  source: 'flat-lay' | 'on-model';
  /** Background colour of the product photo (flat-lay), used for white balance. */
  background: [number, number, number];
  /**
   * On-model photos: the model's body frame (keypoints) in the cut-out's coordinates. The garment is already worn, so
   * its length is read against this body (hem relative to shoulders and hips) rather than from its own proportions.
   */
  model?: BodyFrame;
}

export interface GarmentAnalysis extends GarmentCutout {
  contentHash: string;
  landmarks: GarmentLandmarks;
  cls: GarmentClass;
  /** Waistband, hems and crotch of a bottom (category 'lower'); `landmarks` then mirrors them (see bottoms.ts). */
  bottom?: BottomLandmarks;
}

export type DetectFn = (image: RawImage) => Promise<PersonDetection>;

/** In-memory LRU + optional directory. */
export class GarmentCache {
  private readonly entries = new Map<string, GarmentCutout>();
  constructor(
    private readonly capacity = 32,
    private readonly dir: string | null = null,
  ) {
    if (dir) mkdirSync(dir, { recursive: true });
  }

  get(hash: string): GarmentCutout | undefined {
    const hit = this.entries.get(hash);
    if (hit) {
      // Re-insert to mark as most recently used (Map keeps insertion order).
      this.entries.delete(hash);
      this.entries.set(hash, hit);
      return hit;
    }
    if (!this.dir) return undefined;
    try {
      const buf = readFileSync(join(this.dir, `${hash}.v${CACHE_VERSION}.bin`));
      const headLen = buf.readUInt32LE(0);
      const head = JSON.parse(buf.subarray(4, 4 + headLen).toString('utf8')) as {
        w: number;
        h: number;
        source: GarmentCutout['source'];
        background: [number, number, number];
        model?: BodyFrame;
      };
      const n = head.w * head.h;
      const body = buf.subarray(4 + headLen);
      const entry: GarmentCutout = {
        image: { data: new Uint8Array(body.subarray(0, n * 3)), width: head.w, height: head.h, channels: 3 },
        mask: { data: new Uint8Array(body.subarray(n * 3, n * 4)), width: head.w, height: head.h },
        source: head.source,
        background: head.background,
        ...(head.model ? { model: head.model } : {}),
      };
      this.put(hash, entry, false);
      return entry;
    } catch {
      return undefined;
    }
  }

  put(hash: string, entry: GarmentCutout, persist = true): void {
    this.entries.set(hash, entry);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    if (persist && this.dir) {
      const head = Buffer.from(
        JSON.stringify({
          w: entry.image.width,
          h: entry.image.height,
          source: entry.source,
          background: entry.background,
          model: entry.model,
        }),
      );
      const len = Buffer.alloc(4);
      len.writeUInt32LE(head.length);
      const file = join(this.dir, `${hash}.v${CACHE_VERSION}.bin`);
      // Write then rename: another worker reading the same entry never sees half a file.
      const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      writeFileSync(tmp, Buffer.concat([len, head, entry.image.data, entry.mask.data]));
      renameSync(tmp, file);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Cuts a garment off a model (`det`: the person detected in the product photo): the person pipeline runs on the
 * product photo, and the garment is the person minus face, hair, neck and bare skin, arms and hands, legs and (for
 * tops) the lower garment — see on-model.ts. Fails with GARMENT_NOT_DETECTED when no body is found or what is left
 * is too small or mostly skin.
 */
function cutOutOnModel(
  img: RawImage,
  det: PersonDetection,
  background: [number, number, number],
  opts: OnModelOptions,
): GarmentCutout {
  const cut = cutGarmentOffModel(img, det, opts);
  const { image, mask } = fillHemNotches(img, cut.mask, cut.frame);
  return { image: decontaminateRim(image, mask), mask, source: 'on-model', background, model: cut.frame };
}

/**
 * The flat-lay's outermost 2–3 pixels are a blend of garment and background (anti-aliasing, JPEG ringing): on a
 * person they drew a pale line along every warped edge (sleeve insides, hem corners), which also made knits look
 * semi-transparent. Each rim pixel takes the mean colour of the garment pixels at least 3 px inside the outline
 * within a 7×7 window (kept as is when there are none: thin straps).
 */
export function decontaminateRim(img: RawImage, mask: BinaryMask): RawImage {
  const { width: w, height: h, channels: ch } = img;
  const inner = erode(mask, 3);
  const out = new Uint8Array(img.data);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (!mask.data[p] || inner.data[p]) continue;
      let r = 0;
      let g = 0;
      let b = 0;
      let k = 0;
      for (let yy = Math.max(0, y - 3); yy <= Math.min(h - 1, y + 3); yy++) {
        for (let xx = Math.max(0, x - 3); xx <= Math.min(w - 1, x + 3); xx++) {
          const q = yy * w + xx;
          if (!inner.data[q]) continue;
          r += img.data[q * ch]!;
          g += img.data[q * ch + 1]!;
          b += img.data[q * ch + 2]!;
          k++;
        }
      }
      if (k === 0) continue;
      out[p * ch] = Math.round(r / k);
      out[p * ch + 1] = Math.round(g / k);
      out[p * ch + 2] = Math.round(b / k);
    }
  }
  return { ...img, data: out };
}

export interface AnalyzeOptions {
  cache?: GarmentCache;
  /** Person detector for on-model product photos; without it such photos fail with GARMENT_NOT_DETECTED. */
  detect?: DetectFn;
  /**
   * Cut garments off models (default on; `false` turns it off). A product photo with a plain background is run
   * through the person detector first (once per product: the cut-out is cached); a detected face and body send it
   * the on-model way (on-model.ts, landmarks from the model's body in on-model-landmarks.ts), anything else is cut
   * as a flat-lay.
   */
  onModel?: boolean;
}

/** Picks the product image to use: a role naming the front wins, else the first image. */
export function pickProductImage(images: ProductImageInput[]): ProductImageInput {
  const front = images.find((i) => i.role && /front/i.test(i.role) && !/back/i.test(i.role));
  const first = front ?? images[0];
  if (!first) throw new EngineError('GARMENT_NOT_DETECTED', 'The product has no image.');
  return first;
}

/**
 * Landmarks depend only on the cut-out mask, so they are memoised per cached cut-out object (~60 ms saved on every
 * try-on of a product already in the cache); the WeakMap lets them go with the cache entry.
 */
const landmarkMemo = new WeakMap<GarmentCutout, Map<string, GarmentLandmarks | null>>();
/** How the outline is read: `sleeveless` from the words, `dress` once the garment is known to be one. */
interface LandmarkReading {
  sleeveless?: boolean;
  dress?: boolean;
}
function landmarksOf(cut: GarmentCutout, reading: LandmarkReading = {}): GarmentLandmarks | null {
  let m = landmarkMemo.get(cut);
  if (!m) {
    m = new Map();
    landmarkMemo.set(cut, m);
  }
  const sleeveless = reading.sleeveless ?? false;
  const key = `${sleeveless}/${reading.dress ?? false}`;
  if (!m.has(key)) {
    // Worn by a model: read against the model's body (on-model-landmarks.ts), the outline alone misleads.
    const lm = cut.model ? onModelLandmarks(cut.mask, cut.model, { sleeveless }) : findLandmarks(cut.mask, reading);
    m.set(key, lm);
  }
  return m.get(key) ?? null;
}

/** Full analysis of one product. */
export async function analyzeGarment(
  image: ProductImageInput,
  words: ProductWords,
  options: AnalyzeOptions = {},
): Promise<GarmentAnalysis> {
  const veto = unsupportedByWords(words);
  if (veto) throw new EngineError('UNSUPPORTED_GARMENT', `The composite engine cannot dress a "${veto}".`);
  let cut = options.cache?.get(image.contentHash);
  if (!cut) {
    // Transparent pixels flattened on white (a cut-out product PNG then reads as a flat-lay on a white sweep).
    const img = await decodeImage(image.data, { maxSide: GARMENT_MAX_SIDE });
    const border = borderUniformity(img);
    const text = `${words.title ?? ''} ${words.description ?? ''}`;
    let flatErr: EngineError | null = null;
    // A studio photo of a model on a plain wall has as uniform a border as a flat-lay, and the flat-lay cut then
    // "succeeds" with the whole model (face, hair, legs) as the garment. A detected face decides: a flat-lay has
    // none. Detection runs once per product (the cut-out is cached), also with the on-model cut turned off, so that
    // such a photo is refused rather than worn whole.
    const det = options.detect ? await options.detect(img) : null;
    const modelSeen = !!det?.face && det.keypoints.length > 0;
    if (modelSeen && options.onModel === false) {
      throw new EngineError('GARMENT_NOT_DETECTED', 'Product photos worn by a model are turned off on this server.');
    }
    if (border.uniform >= 0.8 && !modelSeen) {
      try {
        const { mask, background } = cutFlatLay(img, border);
        cut = { image: decontaminateRim(img, mask), mask, source: 'flat-lay', background };
      } catch (err) {
        if (!(err instanceof EngineError)) throw err;
        flatErr = err;
      }
    }
    if (!cut) {
      if (!det) {
        throw (
          flatErr ??
          new EngineError('GARMENT_NOT_DETECTED', 'The product photo has no plain background to cut the garment from.')
        );
      }
      if (det.keypoints.length === 0 && flatErr) throw flatErr;
      cut = cutOutOnModel(img, det, border.background, {
        dress: /\bdress/i.test(text),
        sleeveless: (wordsSleeve(words.title ?? '') ?? wordsSleeve(text)) === 'none',
      });
    }
    options.cache?.put(image.contentHash, cut);
  }
  let landmarks = landmarksOf(cut);
  if (!landmarks) throw new EngineError('GARMENT_NOT_DETECTED', 'The garment mask is empty.');
  let cls = classifyGarment(words, landmarks);
  if (cls.source.category === 'shape' && cls.category !== 'lower' && looksLikeBottom(cut.mask)) {
    // No words and a flat waistband along the top edge: a skirt (two legs were already caught by the leg gap).
    cls = { ...cls, category: 'lower', lowerKind: 'skirt', sleeve: 'none' };
  }
  if (cls.category === 'lower') {
    const bottom = findBottomLandmarks(cut.mask);
    if (!bottom) throw new EngineError('GARMENT_NOT_DETECTED', 'The garment mask is empty.');
    // Words decide the kind; without words the shape does (a skirt has no crotch gap). Trousers by name without
    // a gap between two legs are refused by the fit rather than worn as a skirt.
    const lowerKind = cls.source.category === 'words' ? cls.lowerKind : bottom.crotch ? 'trousers' : 'skirt';
    return {
      ...cut,
      contentHash: image.contentHash,
      landmarks: asGarmentLandmarks(bottom),
      cls: { ...cls, lowerKind },
      bottom,
    };
  }
  // A dress's armholes are sought in a dress's proportions (armpits.ts).
  const dress = cls.category === 'dress';
  if (dress) landmarks = landmarksOf(cut, { dress }) ?? landmarks;
  if (cut.source === 'flat-lay' && cls.sleeve !== 'none' && isOffShoulder(cut.mask, landmarks)) {
    throw new EngineError(
      'UNSUPPORTED_GARMENT',
      'The composite engine cannot dress an off-shoulder or cold-shoulder top (sleeves hanging below bare shoulders).',
    );
  }
  if (cls.sleeve === 'none' && (landmarks.sleeveLeft || landmarks.sleeveRight || cut.model)) {
    // The words say sleeveless: whatever stuck out was a strap, a drape or a tie. Worn by a model, the straps are
    // found as such (on-model-landmarks.ts) even when nothing looked like a sleeve.
    landmarks = landmarksOf(cut, { sleeveless: true, dress }) ?? landmarks;
  }
  if (cut.source === 'flat-lay' && shoulderDrop(landmarks) > MAX_SHOULDER_DROP) {
    throw new EngineError(
      'GARMENT_NOT_DETECTED',
      "The garment's sleeves lie against its body in the product photo, so where they join it cannot be told. " +
        'Photograph it with the sleeves spread out from the body.',
    );
  }
  return { ...cut, contentHash: image.contentHash, landmarks, cls };
}
