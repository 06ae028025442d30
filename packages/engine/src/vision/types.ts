/** Shared vision types: what the person pipeline produces and the crop and try-on stages consume. */

/** Decoded pixels, row-major, `channels` bytes per pixel (3 = RGB, 4 = RGBA). */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
}

/** A single-channel map, same size as the image it was computed on; 0..255. */
export interface Mask {
  data: Uint8Array;
  width: number;
  height: number;
}

/** COCO-17 keypoint names, MoveNet's order. */
export const COCO_KEYPOINTS = [
  'nose',
  'leftEye',
  'rightEye',
  'leftEar',
  'rightEar',
  'leftShoulder',
  'rightShoulder',
  'leftElbow',
  'rightElbow',
  'leftWrist',
  'rightWrist',
  'leftHip',
  'rightHip',
  'leftKnee',
  'rightKnee',
  'leftAnkle',
  'rightAnkle',
] as const;
export type KeypointName = (typeof COCO_KEYPOINTS)[number];

export interface Keypoint {
  part: KeypointName;
  /** Pixel coordinates in the analysed image. */
  x: number;
  y: number;
  /** 0..1 */
  score: number;
}

/** [x, y, width, height] in pixels. */
export type Box = [number, number, number, number];

export interface PersonDetection {
  width: number;
  height: number;
  /** All 17 COCO keypoints (low-score ones included; callers threshold). Empty when no body was found. */
  keypoints: Keypoint[];
  /** Overall body score, 0..1 (0 when no body). */
  score: number;
  /** Soft person mask (selfie segmentation), same size as the image; null when segmentation failed. */
  mask: Mask | null;
  /** The largest face, if any. */
  face: { box: Box; score: number; silhouette: Array<[number, number]> } | null;
}

/** A crop window in source pixels. Parts outside the source (negative or beyond its size) are padded. */
export interface CropWindow {
  left: number;
  top: number;
  width: number;
  height: number;
  /** What framed the window: the body, the face only, or the image centre. */
  basis: 'body' | 'face' | 'center';
}
