/** Worker-side handlers of the person tasks (see worker-tasks.ts). */
import sharp from 'sharp';
import { EngineError } from '../engine.js';
import { bytesOf, ownedBuffer, type TaskHandler, throwIfAborted } from '../pool/registry.js';
import type { CropOptions } from '../vision/person-crop.js';
import {
  orientedSize,
  personAwareCrop,
  type RenderOptions,
  renderCrop,
  scaleCropWindow,
} from '../vision/person-crop.js';
import { decodeImage, detectPerson } from '../vision/person-detector.js';
import type { CropWindow, PersonDetection } from '../vision/types.js';

/** Uploads are analysed at most this large: the models work at 192-256 px, so more only costs decode and mask time. */
export const CROP_ANALYSIS_MAX_SIDE = 1280;

export interface CropPersonPayload {
  image: Uint8Array;
  crop?: CropOptions;
  render?: RenderOptions;
}

export interface CropPersonResult {
  data: Uint8Array;
  width: number;
  height: number;
  format: RenderOptions['format'];
  window: CropWindow;
}

export const detectPersonTask: TaskHandler = async (payload, ctx) => {
  const image = await decodeImage(bytesOf(payload, 'detectPerson payload'));
  throwIfAborted(ctx.signal);
  const detection = await detectPerson(image, { modelsDir: ctx.config.modelsDir, bodyModel: ctx.config.bodyModel });
  const transfer: ArrayBuffer[] = [];
  if (detection.mask) {
    const buffer = ownedBuffer(detection.mask.data);
    detection.mask = { ...detection.mask, data: new Uint8Array(buffer) };
    transfer.push(buffer);
  }
  return { value: detection satisfies PersonDetection, transfer };
};

export const cropPersonTask: TaskHandler = async (payload, ctx) => {
  const p = payload as Partial<CropPersonPayload> | null;
  const bytes = bytesOf(p?.image, 'cropPerson image');
  const analysed = await decodeImage(bytes, { maxSide: CROP_ANALYSIS_MAX_SIDE });
  throwIfAborted(ctx.signal);
  const detection = await detectPerson(analysed, { modelsDir: ctx.config.modelsDir, bodyModel: ctx.config.bodyModel });
  throwIfAborted(ctx.signal);
  // The window is computed on the analysis copy and scaled to the oriented original, which renderCrop reads.
  const originalWidth = orientedSize(await sharp(bytes).metadata()).width;
  if (!(originalWidth > 0)) throw new EngineError('INVALID_IMAGE', 'The image has no pixels');
  let window = personAwareCrop(detection, p?.crop);
  if (originalWidth !== analysed.width) window = scaleCropWindow(window, originalWidth / analysed.width);
  const out = await renderCrop(bytes, window, p?.render);
  const buffer = ownedBuffer(out.data);
  const value: CropPersonResult = {
    data: new Uint8Array(buffer),
    width: out.width,
    height: out.height,
    format: out.format,
    window,
  };
  return { value, transfer: [buffer] };
};
