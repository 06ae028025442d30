export * from './engine.js';
export { MockEngine } from './mock-engine.js';
export {
  type BodyModelName,
  DEFAULT_BODY_MODEL,
  defaultModelsDir,
  loadVisionModels,
  type VisionModelOptions,
} from './vision/human-loader.js';
export {
  type CropOptions,
  personAwareCrop,
  type RenderedCrop,
  type RenderOptions,
  renderCrop,
  scaleCropWindow,
} from './vision/person-crop.js';
export {
  BODY_MIN_SCORE,
  type DecodeOptions,
  type DetectOptions,
  decodeImage,
  detectPerson,
  KEYPOINT_MIN_SCORE,
} from './vision/person-detector.js';
export * from './vision/types.js';
export { ExternalEngine, type ExternalEngineOptions, EXTERNAL_PROTOCOL_VERSION } from './external-engine.js';
