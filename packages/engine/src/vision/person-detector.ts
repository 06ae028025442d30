/**
 * Person analysis: COCO-17 keypoints (MoveNet), a soft person mask (MediaPipe selfie) at image size, and the largest
 * face with its FaceMesh silhouette. One call analyses one image; nothing is carried over from a previous call.
 */
import type { Tensor, Tensor3D } from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { EngineError } from '../engine.js';
import { loadVisionModels, type VisionModelOptions, type VisionModels } from './human-loader.js';
import { type Box, COCO_KEYPOINTS, type Keypoint, type Mask, type PersonDetection, type RawImage } from './types.js';

/** Keypoints at or above this score count as seen (MoveNet's own demos use 0.3). */
export const KEYPOINT_MIN_SCORE = 0.3;
/** A body counts as found when its score (see `bodyScore`) reaches this. */
export const BODY_MIN_SCORE = 0.35;
/** ... and when the selfie mask covers at least this share of the image (MoveNet always answers 17 points). */
const MIN_MASK_SHARE = 0.01;

export interface DecodeOptions {
  /** Downscale (never upscale) so that the long side is at most this many pixels. */
  maxSide?: number;
}

/**
 * Decodes JPEG/PNG/WebP/AVIF/TIFF/GIF (first frame) bytes to 8-bit sRGB RGB, applying the EXIF orientation so that
 * the pixels are the ones a viewer sees. Transparent pixels are flattened on white, like most viewers show them.
 */
export async function decodeImage(encoded: Uint8Array, options: DecodeOptions = {}): Promise<RawImage> {
  try {
    let pipeline = sharp(encoded, { failOn: 'error' })
      .rotate()
      .toColourspace('srgb')
      .flatten({ background: '#ffffff' });
    if (options.maxSide) {
      pipeline = pipeline.resize(options.maxSide, options.maxSide, { fit: 'inside', withoutEnlargement: true });
    }
    const { data, info } = await pipeline.removeAlpha().raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`unexpected ${info.channels} channels`);
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
      channels: 3,
    };
  } catch (err) {
    throw new EngineError('INVALID_IMAGE', `The image could not be decoded: ${(err as Error).message}`);
  }
}

/** RGB bytes of `image` (drops alpha without copying when the image is already RGB). */
function rgbBytes(image: RawImage): Uint8Array {
  const n = image.width * image.height;
  if (image.data.length < n * image.channels) throw new EngineError('INVALID_IMAGE', 'RawImage data is too short');
  if (image.channels === 3) return image.data.subarray(0, n * 3);
  const out = new Uint8Array(n * 3);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    out[i * 3] = image.data[j]!;
    out[i * 3 + 1] = image.data[j + 1]!;
    out[i * 3 + 2] = image.data[j + 2]!;
  }
  return out;
}

/**
 * The overall body score: the mean of the 5 best keypoint scores. A mean over all 17 would call every half-body
 * photo a weak detection (legs out of frame score ~0); MoveNet on a person-free image rarely has 5 points above 0.3.
 */
function bodyScore(keypoints: Keypoint[]): number {
  const best = keypoints
    .map((k) => k.score)
    .sort((a, b) => b - a)
    .slice(0, 5);
  return best.length === 0 ? 0 : best.reduce((a, b) => a + b, 0) / best.length;
}

function runBody(models: VisionModels, input: Tensor3D, width: number, height: number): Keypoint[] {
  const { tf } = models;
  const size = models.body.inputSize;
  // MoveNet expects a square int32 image: pad the short side symmetrically (as the reference pipeline does) rather
  // than stretch, so that limb angles and proportions are not distorted.
  const side = Math.max(width, height);
  const padX = side - width;
  const padY = side - height;
  const left = Math.floor(padX / 2);
  const top = Math.floor(padY / 2);
  const raw = tf.tidy(() => {
    const padded = tf.pad(input, [
      [top, padY - top],
      [left, padX - left],
      [0, 0],
    ]);
    const resized = tf.image.resizeBilinear(padded as Tensor3D, [size, size]);
    const batch = tf.expandDims(tf.cast(resized, 'int32'), 0);
    return models.body.model.execute(batch) as Tensor;
  });
  const values = raw.dataSync();
  raw.dispose();
  // Output [1, 1, 17, 3]: (y, x, score) normalised to the padded square.
  return COCO_KEYPOINTS.map((part, i) => ({
    part,
    x: values[i * 3 + 1]! * side - left,
    y: values[i * 3]! * side - top,
    score: values[i * 3 + 2]!,
  }));
}

function runSelfie(models: VisionModels, input: Tensor3D, width: number, height: number): Mask {
  const { tf } = models;
  const { model, inputHeight, inputWidth } = models.selfie;
  const out = tf.tidy(() => {
    const small = tf.div(tf.image.resizeBilinear(input, [inputHeight, inputWidth]), 255);
    const prob = model.execute(tf.expandDims(small, 0)) as Tensor; // [1, h, w, 1], sigmoid
    const probMap = tf.reshape(prob, [inputHeight, inputWidth, 1]) as Tensor3D;
    // Bilinear upscaling keeps the soft edge the model predicts; the caller thresholds where it needs a hard mask.
    const full = tf.image.resizeBilinear(probMap, [height, width]);
    return tf.cast(tf.clipByValue(tf.round(tf.mul(full, 255)), 0, 255), 'int32');
  });
  const values = out.dataSync();
  out.dispose();
  return { data: Uint8Array.from(values), width, height };
}

async function runFace(models: VisionModels, input: Tensor3D): Promise<PersonDetection['face']> {
  const result = await models.human.detect(input);
  if (result.error) throw new EngineError('ENGINE_FAILED', `Face detection failed: ${result.error}`, true);
  let best: PersonDetection['face'] = null;
  let bestArea = -1;
  for (const face of result.face) {
    const [x, y, w, h] = face.box;
    if (w * h <= bestArea) continue;
    bestArea = w * h;
    const silhouette = (face.annotations?.silhouette ?? []).map((p): [number, number] => [p[0]!, p[1]!]);
    best = { box: [x, y, w, h] as Box, score: face.score, silhouette };
  }
  return best;
}

/** Share of mask pixels above half. */
function maskShare(mask: Mask): number {
  let on = 0;
  for (let i = 0; i < mask.data.length; i++) if (mask.data[i]! >= 128) on++;
  return on / mask.data.length;
}

export interface DetectOptions extends VisionModelOptions {
  /** Filled with per-model wall times in ms, when given. */
  timings?: Record<string, number>;
}

// Human's face pipeline and the shared tfjs engine are not re-entrant across awaits (module-level state), so calls on
// one thread are serialised; parallelism comes from worker threads.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Analyses one decoded image. Keypoints are in image pixels (they may lie slightly outside the frame when MoveNet
 * extrapolates a cut-off body part); `keypoints` is empty and `score` 0 when no body was found.
 */
export function detectPerson(image: RawImage, options: DetectOptions = {}): Promise<PersonDetection> {
  const run = queue.then(() => detectNow(image, options));
  queue = run.catch(() => undefined);
  return run;
}

async function detectNow(image: RawImage, options: DetectOptions): Promise<PersonDetection> {
  const { width, height } = image;
  if (!(width > 0 && height > 0)) throw new EngineError('INVALID_IMAGE', 'Empty image');
  const models = await loadVisionModels(options);
  const { tf } = models;
  const timings = options.timings;
  const input = tf.tensor3d(rgbBytes(image), [height, width, 3], 'int32');
  try {
    let t = performance.now();
    const keypoints = runBody(models, input, width, height);
    if (timings) timings.body = performance.now() - t;
    t = performance.now();
    const mask = runSelfie(models, input, width, height);
    if (timings) timings.segmentation = performance.now() - t;
    t = performance.now();
    const face = await runFace(models, input);
    if (timings) timings.face = performance.now() - t;

    const score = bodyScore(keypoints);
    const found = score >= BODY_MIN_SCORE && maskShare(mask) >= MIN_MASK_SHARE;
    return { width, height, keypoints: found ? keypoints : [], score: found ? score : 0, mask, face };
  } catch (err) {
    if (err instanceof EngineError) throw err;
    throw new EngineError('ENGINE_FAILED', `Person detection failed: ${(err as Error).message}`, true);
  } finally {
    input.dispose();
  }
}
