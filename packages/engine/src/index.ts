export * from './engine.js';
export { MockEngine } from './mock-engine.js';
export * from './vision/types.js';
