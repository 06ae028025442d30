/**
 * The engines this process can run, and the person cropper for uploads. The mock engine is always there (a product
 * titled `mock` uses it); `composite` runs the CPU pipeline of @fitroom/engine in worker threads; `external` calls an
 * inference service over HTTP.
 */
import { ExternalEngine, MockEngine, type TryOnEngine } from '@fitroom/engine';
import type { Config } from './config.js';
import type { PersonCropper } from './images/normalize.js';
import type { EngineRegistry } from './workers/try-on.worker.js';

export interface Engines {
  registry: EngineRegistry;
  cropper: PersonCropper | null;
  close(): Promise<void>;
}

export interface EngineOptions {
  /** Start the vision worker threads (person crop, composite engine). Tests of non-vision code switch this off. */
  vision: boolean;
  /** Extra engines by name (tests register slow or failing engines here). */
  extra?: Map<string, TryOnEngine>;
}

export async function createEngines(config: Readonly<Config>, options: EngineOptions): Promise<Engines> {
  const engines = new Map<string, TryOnEngine>([['mock', new MockEngine()]]);
  if (config.externalEngineUrl) engines.set('external', new ExternalEngine({ baseUrl: config.externalEngineUrl }));
  for (const [name, engine] of options.extra ?? []) engines.set(name, engine);
  return {
    registry: { get: (name) => engines.get(name) },
    cropper: null,
    async close() {
      await Promise.all([...engines.values()].map((e) => e.close()));
    },
  };
}
