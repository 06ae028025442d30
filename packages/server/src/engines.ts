/**
 * The engines this process can run, and the person cropper for uploads. The mock engine is always there (a product
 * titled `mock` uses it); `composite` is the CPU pipeline of @fitroom/engine, run in worker threads (the engine pool);
 * the hosted engines send the try-on elsewhere: `external` (an inference service speaking fitroom's protocol),
 * `fashn` (FASHN's API), `oip` (a model behind the Open Inference Protocol), `replicate` (Replicate's predictions),
 * docs/external-engine.md.
 *
 * A hosted engine is wrapped, inside out: retries with backoff and a circuit breaker (ResilientEngine), then the
 * identity pass (the person's own pixels outside the garment region; it needs the vision pool), and the name an
 * account or ENGINE chooses resolves to a chain: that engine, then the ENGINE_FALLBACK engines, each taken only when
 * its capabilities fit the product (category, licence) and the ones before it are down or rate-limited.
 */

import { join } from 'node:path';
import {
  ALL_CATEGORIES,
  type ChainLink,
  createEnginePool,
  type EngineCapabilities,
  EngineChain,
  type EngineClock,
  type EnginePool,
  ExternalEngine,
  FashnEngine,
  IdentityPassEngine,
  MockEngine,
  OipEngine,
  type PersonDetection,
  personAwareCrop,
  ReplicateEngine,
  ResilientEngine,
  renderCrop,
  scaleCropWindow,
  systemClock,
  type TryOnEngine,
} from '@fitroom/engine';
import sharp from 'sharp';
import type { Config } from './config.js';
import { capabilitiesOf } from './config-engines.js';
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
  /** Extra engines by name (tests register slow or failing engines here), used as they are. */
  extra?: Map<string, TryOnEngine>;
  /** Time for the hosted engines' polling, backoff and circuit breakers (tests inject a fake clock). */
  clock?: EngineClock;
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

const LOCAL: EngineCapabilities = { categories: ALL_CATEGORIES, maxSide: null, licence: 'commercial' };

/** The hosted engines this configuration enables, by name, with what they can do. */
function hostedEngines(config: Readonly<Config>, clock: EngineClock): Map<string, ChainLink> {
  const s = config.engines;
  const timeoutMs = s.timeoutMs;
  const out = new Map<string, ChainLink>();
  if (config.externalEngineUrl) {
    out.set('external', {
      engine: new ExternalEngine({ baseUrl: config.externalEngineUrl, timeoutMs }),
      capabilities: LOCAL,
    });
  }
  if (s.fashn) {
    const f = s.fashn;
    const engine = new FashnEngine({
      apiKey: f.apiKey.reveal(),
      baseUrl: f.baseUrl,
      modelName: f.model,
      category: f.category,
      mode: f.mode,
      timeoutMs,
      clock,
    });
    out.set('fashn', { engine, capabilities: capabilitiesOf('fashn', s) });
  }
  if (s.oip) {
    const o = s.oip;
    const engine = new OipEngine({
      baseUrl: o.baseUrl,
      model: o.model,
      ...(o.version ? { version: o.version } : {}),
      ...(o.token ? { token: o.token.reveal() } : {}),
      maxSide: o.capabilities.maxSide,
      timeoutMs,
      clock,
    });
    out.set('oip', { engine, capabilities: o.capabilities });
  }
  if (s.replicate) {
    const r = s.replicate;
    const engine = new ReplicateEngine({
      apiToken: r.apiToken.reveal(),
      baseUrl: r.baseUrl,
      version: r.version,
      extraInput: r.input,
      maxSide: r.capabilities.maxSide,
      timeoutMs,
      clock,
    });
    out.set('replicate', { engine, capabilities: r.capabilities });
  }
  return out;
}

export async function createEngines(config: Readonly<Config>, options: EngineOptions): Promise<Engines> {
  const clock = options.clock ?? systemClock;
  const s = config.engines;
  const links = new Map<string, ChainLink>([['mock', { engine: new MockEngine(), capabilities: LOCAL }]]);
  let pool: EnginePool | null = null;
  if (options.vision) {
    // Models load lazily in each thread, on its first task: starting the server stays fast.
    pool = createEnginePool({
      threads: config.engineThreads,
      garmentCacheDir: join(config.dataDir, 'cache', 'garments'),
    });
    links.set('composite', { engine: pool, capabilities: LOCAL });
  }
  for (const [name, hosted] of hostedEngines(config, clock)) {
    let engine: TryOnEngine = new ResilientEngine(hosted.engine, {
      retries: s.retries,
      backoffMs: s.backoffMs,
      failures: s.circuit.failures,
      openMs: s.circuit.openMs,
      clock,
    });
    // Without the vision pool there is no body map: results are stored as the engine answered (VISION=off).
    const vision = pool;
    if (vision) engine = new IdentityPassEngine(engine, (input) => vision.identityRegion(input), s.identityPass);
    links.set(name, { engine, capabilities: hosted.capabilities });
  }
  const chains = new Map<string, TryOnEngine>();
  for (const [name, link] of links) {
    const fallbacks = s.fallback.filter((f) => f !== name && links.has(f)).map((f) => links.get(f)!);
    chains.set(
      name,
      fallbacks.length === 0 && link.capabilities === LOCAL
        ? link.engine
        : new EngineChain([link, ...fallbacks], { allowNonCommercial: s.allowNonCommercial }),
    );
  }
  for (const [name, engine] of options.extra ?? []) chains.set(name, engine);
  return {
    registry: { get: (name) => chains.get(name) },
    cropper: new PoolPersonCropper(pool),
    async close() {
      await Promise.all(
        [...links.values(), ...(options.extra?.values() ?? [])].map((l) => ('engine' in l ? l.engine : l).close()),
      );
    },
  };
}
