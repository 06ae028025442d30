/**
 * The engines this process can run, and the person cropper for uploads. The mock engine is always there (a product
 * titled `mock` uses it); `composite` is the CPU pipeline of @fitroom/engine, run in worker threads (the engine pool);
 * `external` calls an inference service over HTTP (docs/external-engine.md).
 */

import { join } from 'node:path';
import {
  createEnginePool,
  type EnginePool,
  ExternalEngine,
  MockEngine,
  type PersonDetection,
  personAwareCrop,
  renderCrop,
  scaleCropWindow,
  type TryOnEngine,
} from '@fitroom/engine';
import sharp from 'sharp';
import type { Config } from './config.js';
import type { EngineRegistry } from './ports/engine-registry.js';
import type { DecodedImage, NormalizedImage, PersonCropper } from './ports/person-cropper.js';

export interface Engines {
  registry: EngineRegistry;
  cropper: PersonCropper;
  close(): Promise<void>;
}

export interface EngineOptions {
  /** Start the vision worker threads (person crop, composite engine). Without them uploads get a centred 4:5 crop. */
  vision: boolean;
  /** Extra engines by name (tests register slow or failing engines here). */
  extra?: Map<string, TryOnEngine>;
}

/** The person is found on a copy this size (the models work at 256 px; more only costs decode time). */
const ANALYSIS_MAX_SIDE = 1024;
const NO_PERSON: Omit<PersonDetection, 'width' | 'height'> = { keypoints: [], score: 0, mask: null, face: null };

/**
 * The 4:5 crop of uploads: the person is found by the pool's vision models on a small JPEG copy; the window is
 * computed and rendered here, on the pixels already decoded (and validated) by the upload pipeline, so the photo is
 * decoded once and HEIC works like any other format.
 */
export class PoolPersonCropper implements PersonCropper {
  constructor(private readonly pool: EnginePool | null) {}

  async crop(image: DecodedImage): Promise<NormalizedImage> {
    const raw = { data: image.data, width: image.width, height: image.height, channels: 3 as const };
    const scale = Math.min(1, ANALYSIS_MAX_SIDE / Math.max(image.width, image.height));
    let detection: PersonDetection;
    if (this.pool) {
      const small = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
        .resize({ width: Math.round(image.width * scale), height: Math.round(image.height * scale), fit: 'fill' })
        .jpeg({ quality: 90 })
        .toBuffer();
      detection = await this.pool.detectPerson(small);
    } else {
      detection = { ...NO_PERSON, width: Math.round(image.width * scale), height: Math.round(image.height * scale) };
    }
    const window = scaleCropWindow(personAwareCrop(detection), image.width / detection.width);
    const out = await renderCrop(raw, window, { format: 'jpeg', quality: 90 });
    return { data: out.data, contentType: 'image/jpeg', width: out.width, height: out.height };
  }
}

export async function createEngines(config: Readonly<Config>, options: EngineOptions): Promise<Engines> {
  const engines = new Map<string, TryOnEngine>([['mock', new MockEngine()]]);
  let pool: EnginePool | null = null;
  if (options.vision) {
    // Models load lazily in each thread, on its first task: starting the server stays fast.
    pool = createEnginePool({
      threads: config.engineThreads,
      garmentCacheDir: join(config.dataDir, 'cache', 'garments'),
    });
    engines.set('composite', pool);
  }
  if (config.externalEngineUrl) engines.set('external', new ExternalEngine({ baseUrl: config.externalEngineUrl }));
  for (const [name, engine] of options.extra ?? []) engines.set(name, engine);
  return {
    registry: { get: (name) => engines.get(name) },
    cropper: new PoolPersonCropper(pool),
    async close() {
      await Promise.all([...engines.values()].map((e) => e.close()));
    },
  };
}
