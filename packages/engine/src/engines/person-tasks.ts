/** Worker-side handlers of the person tasks (see worker-tasks.ts). */
import { bytesOf, ownedBuffer, type TaskHandler, throwIfAborted } from '../pool/registry.js';
import { decodeImage, detectPerson } from '../vision/person-detector.js';
import type { PersonDetection } from '../vision/types.js';

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
