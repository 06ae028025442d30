/** The try-on engines this process can run, by name (a product's engine); built by engines.ts `createEngines`. */
import type { TryOnEngine } from '@fitroom/engine';

export interface EngineRegistry {
  get(name: string): TryOnEngine | undefined;
}
