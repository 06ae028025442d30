// What the server uses of the engine: the port, the engines, the engine pool, garment analysis and the vision models
// (the layout and the stages: packages/engine/README.md).

export * from './engine.js';
export {
  CompositeEngine,
  type CompositeEngineOptions,
  createCompositeContext,
  tryOnComposite,
} from './engines/composite-engine.js';
export {
  createEnginePool,
  type EnginePool,
  type EnginePoolOptions,
  type RunOptions,
} from './engines/engine-pool.js';
export { EXTERNAL_PROTOCOL_VERSION, ExternalEngine, type ExternalEngineOptions } from './engines/external-engine.js';
export { MockEngine } from './engines/mock-engine.js';
export { analyzeGarment, type GarmentAnalysis, GarmentCache } from './garment/analyze.js';
export {
  categoryFromWords,
  classifyGarment,
  type GarmentCategory,
  type GarmentClass,
  type ProductWords,
  type SleeveLength,
} from './garment/classify.js';
export { type OutfitLayer, type OutfitPlan, outfitLayer, planOutfit } from './garment/outfit.js';
export { editableRegion, seamAlpha } from './identity/editable-region.js';
export {
  applyIdentityPass,
  IdentityPassEngine,
  type IdentityRegion,
  type IdentityRegionContext,
  type IdentityRegionFn,
  identityRegion,
  restoreIdentity,
} from './identity/identity-pass.js';
export type { TaskContext, TaskHandler, TaskResult } from './pool/registry.js';
export {
  FASHN_CATEGORIES,
  FASHN_DEFAULT_BASE_URL,
  FASHN_MODES,
  type FashnCategory,
  FashnEngine,
  type FashnEngineOptions,
  type FashnMode,
} from './providers/fashn-engine.js';
export { type EngineClock, systemClock } from './providers/http.js';
export { OipEngine, type OipEngineOptions } from './providers/oip-engine.js';
export {
  REPLICATE_DEFAULT_BASE_URL,
  ReplicateEngine,
  type ReplicateEngineOptions,
} from './providers/replicate-engine.js';
export {
  ALL_CATEGORIES,
  type BreakerOptions,
  type BreakerState,
  type ChainLink,
  type ChainOptions,
  CircuitBreaker,
  type EngineCapabilities,
  EngineChain,
  type Licence,
  type ResilienceOptions,
  ResilientEngine,
} from './providers/resilience.js';
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
