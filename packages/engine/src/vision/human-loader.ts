/**
 * Loads the vision models once per process or worker thread: @vladmandic/human (for BlazeFace + FaceMesh) on the
 * tfjs wasm backend, plus the MoveNet and selfie-segmentation graph models, which we run ourselves.
 *
 * Why MoveNet and selfie are run directly rather than through `human.detect()` / `human.segmentation()`:
 * - Human's body post-processing keeps a module-level "stabilisation" cache of the previous call's keypoints and
 *   returns the OLD keypoint whenever the new one is within 0.5 % of it, so results depend on which image was
 *   analysed before (a leak between users that `cacheSensitivity: 0` does not switch off).
 * - It also drops keypoints whose score is not > minConfidence, swaps left/right pairs whenever the person does not
 *   face the camera, and deletes an ankle that lies above its knee; the contract wants all 17 points, unrounded.
 * - Both models are small stateless graphs (pad/resize in, one tensor out), so owning the pre/post-processing is
 *   ~30 lines and makes the results depend on the image alone.
 * The face pipeline (detector → crop → mesh) is genuinely involved, so Human keeps it, with every cache turned off.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as TfConverter from '@tensorflow/tfjs-converter';
import type * as TfCore from '@tensorflow/tfjs-core';
import type { Config, GraphModel, Human } from '@vladmandic/human';
import { EngineError } from '../engine.js';

/** The tfjs namespace Human was built against (core + converter share one module instance with Human). */
export type Tf = typeof TfCore & Pick<typeof TfConverter, 'loadGraphModel'>;

export type BodyModelName = 'movenet-lightning' | 'movenet-thunder';

/**
 * MoveNet-Lightning is the default. Measured on the 6 person fixtures on this machine (2 cores, wasm, one thread):
 * the body model alone costs ~40 ms with Lightning vs ~115 ms with Thunder, and both put every keypoint with
 * score ≥ 0.3 inside the person mask on all 6 fixtures with the same left/right assignment; Thunder's scores are
 * slightly higher, but the crop and the try-on only need the points, and design/engine.md records Lightning right on
 * all 15 persons of a wider sample. Thunder stays selectable for deployments that prefer its extra precision.
 */
export const DEFAULT_BODY_MODEL: BodyModelName = 'movenet-lightning';

export interface VisionModelOptions {
  /** Folder holding `<model>.json` + `<model>.bin`; a local path or a file:// URL. Default: the package's models/. */
  modelsDir?: string;
  bodyModel?: BodyModelName;
}

export interface VisionModels {
  tf: Tf;
  /** Human configured for faces only (BlazeFace + FaceMesh). */
  human: Human;
  modelsDir: string;
  body: { name: BodyModelName; model: GraphModel; inputSize: number };
  selfie: { model: GraphModel; inputHeight: number; inputWidth: number };
  /** Wall time of the first load, ms. */
  loadMs: number;
}

/** URL scheme our tfjs IO router serves; every model URL we hand to tfjs or Human uses it. */
const SCHEME = 'fitroom-models://';
const MODEL_FILE = /^[a-z0-9][a-z0-9._-]*$/i;

const require = createRequire(import.meta.url);

/**
 * `require('@vladmandic/human')` resolves to the tfjs-node build, which needs the (uninstallable here) native
 * tensorflow binding. The package's `exports` map does not expose dist/human.node-wasm.js as a subpath, so resolve the
 * package's main file and load the wasm build beside it by path.
 */
function humanWasmPath(): string {
  return join(dirname(require.resolve('@vladmandic/human')), 'human.node-wasm.js');
}

/** The packaged models folder: src/vision/ and dist/vision/ are both two levels below the package root. */
export function defaultModelsDir(): string {
  return fileURLToPath(new URL('../../models/', import.meta.url));
}

function localDir(dir: string): string {
  if (dir.startsWith('file://')) return fileURLToPath(dir);
  // Anything else that looks like a URL (http:, https:, s3:, …) is refused: models are read from disk only.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(dir)) {
    throw new EngineError('ENGINE_UNAVAILABLE', `Vision models must be read from a local folder, not ${dir}`);
  }
  return isAbsolute(dir) ? dir : resolve(dir);
}

/** A tfjs IO handler reading `<name>.json` and its weight shards from `dir`; shard names may not leave the folder. */
function diskModelHandler(dir: string, file: string): TfCore.io.IOHandler {
  return {
    async load(): Promise<TfCore.io.ModelArtifacts> {
      const manifestPath = join(dir, file);
      let json: {
        modelTopology?: unknown;
        weightsManifest?: Array<{ paths: string[]; weights: TfCore.io.WeightsManifestEntry[] }>;
        format?: string;
        generatedBy?: string;
        convertedBy?: string | null;
        signature?: Record<string, unknown>;
        userDefinedMetadata?: Record<string, unknown>;
      };
      try {
        json = JSON.parse(await readFile(manifestPath, 'utf8'));
      } catch (err) {
        throw new EngineError('ENGINE_UNAVAILABLE', `Cannot read vision model ${manifestPath}: ${String(err)}`);
      }
      const groups = json.weightsManifest ?? [];
      const shards: Buffer[] = [];
      for (const group of groups) {
        for (const p of group.paths) {
          if (basename(p) !== p || !MODEL_FILE.test(p)) {
            throw new EngineError('ENGINE_UNAVAILABLE', `Refusing weight path ${p} in ${manifestPath}`);
          }
          shards.push(await readFile(join(dir, p)));
        }
      }
      const all = Buffer.concat(shards);
      // tfjs wants an ArrayBuffer holding exactly the weights (Buffer.concat may return a view on a larger pool).
      const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
      return {
        modelTopology: json.modelTopology as TfCore.io.ModelArtifacts['modelTopology'],
        weightSpecs: groups.flatMap((g) => g.weights),
        weightData,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        signature: json.signature as TfCore.io.ModelArtifacts['signature'],
        userDefinedMetadata: json.userDefinedMetadata as TfCore.io.ModelArtifacts['userDefinedMetadata'],
      };
    },
  };
}

/** The folder the router serves; set by the load in progress (one model set per thread, see loadVisionModels). */
let servedDir: string | null = null;
let routerInstalled = false;

function installRouter(tf: Tf, dir: string): void {
  servedDir = dir;
  if (routerInstalled) return;
  routerInstalled = true;
  // Routers answer null for URLs they do not serve (tfjs' own http router does the same); the typing omits it.
  const router = (url: string | string[]): TfCore.io.IOHandler | null => {
    if (typeof url !== 'string' || !url.startsWith(SCHEME) || servedDir === null) return null;
    const file = url.slice(SCHEME.length);
    if (!MODEL_FILE.test(file) || !file.endsWith('.json')) {
      // Answer with a refusing handler rather than null: with no handler at all, tfjs falls back to an HTTP fetch.
      return {
        load: () => Promise.reject(new EngineError('ENGINE_UNAVAILABLE', `Refusing model URL ${url}`)),
      };
    }
    return diskModelHandler(servedDir, file);
  };
  tf.io.registerLoadRouter(router as Parameters<typeof tf.io.registerLoadRouter>[0]);
}

function faceOnlyConfig(wasmDir: string): Partial<Config> {
  const off = { enabled: false };
  // Every cache is off: cacheSensitivity 0 disables the frame-similarity shortcut, skipFrames/skipTime 0 make each
  // module recompute instead of reusing the previous image's boxes (which would leak between users' photos).
  const noSkip = { skipFrames: 0, skipTime: 0 };
  return {
    backend: 'wasm',
    wasmPath: wasmDir,
    wasmPlatformFetch: false,
    debug: false,
    async: false,
    warmup: 'none',
    modelBasePath: SCHEME,
    cacheModels: false,
    cacheSensitivity: 0,
    skipAllowed: false,
    validateModels: false,
    filter: off,
    gesture: off,
    body: off,
    hand: off,
    object: off,
    segmentation: off,
    face: {
      enabled: true,
      ...noSkip,
      detector: {
        modelPath: 'blazeface.json',
        // Rotation correction straightens tilted heads before the mesh, so the silhouette follows the real jawline.
        rotation: true,
        maxDetected: 5,
        minConfidence: 0.3,
        ...noSkip,
      },
      mesh: { enabled: true, modelPath: 'facemesh.json', ...noSkip },
      attention: off,
      iris: off,
      description: off,
      emotion: off,
      antispoof: off,
      liveness: off,
      gear: off,
    } as Config['face'],
  };
}

async function load(dir: string, bodyName: BodyModelName): Promise<VisionModels> {
  const started = performance.now();
  const wanted = ['blazeface', 'facemesh', 'selfie', bodyName];
  const absent = wanted.filter((name) => !existsSync(join(dir, `${name}.json`)));
  if (absent.length > 0) {
    // Say what to do instead of letting Human log one load error per model.
    throw new EngineError(
      'ENGINE_UNAVAILABLE',
      `Vision models missing in ${dir}: ${absent.join(', ')} (npm install runs packages/engine/scripts/fetch-models.mjs)`,
    );
  }
  const { Human: HumanClass } = require(humanWasmPath()) as { Human: new (config?: Partial<Config>) => Human };
  const wasmDir = `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;
  const human = new HumanClass(faceOnlyConfig(wasmDir));
  // Human.tf is typed `any`; it is the very tfjs module instance Human registered its kernels and backend on.
  const tf = human.tf as Tf;
  installRouter(tf, dir);
  // The emscripten glue of tfjs-backend-wasm adds process-wide 'uncaughtException' / 'unhandledRejection' handlers
  // that rethrow: any unrelated unhandled rejection in the process then dies with the whole minified wasm glue printed
  // as its source line. Node's own default behaviour is the same minus the noise, so drop the handlers it adds.
  type Listener = (...args: unknown[]) => void;
  const events = ['uncaughtException', 'unhandledRejection'] as const;
  // (cast: @types/node's overloads of listeners() do not accept a union of event names)
  const listeners = (event: (typeof events)[number]) => process.listeners(event as 'uncaughtException') as Listener[];
  const before = new Map(events.map((event) => [event, new Set(listeners(event))]));
  try {
    await human.load();
  } finally {
    for (const event of events) {
      for (const listener of listeners(event)) {
        if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
      }
    }
  }
  const loaded = human.models.loaded();
  for (const name of ['blazeface', 'facemesh']) {
    if (!loaded.includes(name)) {
      throw new EngineError('ENGINE_UNAVAILABLE', `Vision model ${name} failed to load from ${dir}`);
    }
  }
  if (tf.getBackend() !== 'wasm') {
    throw new EngineError('ENGINE_UNAVAILABLE', `tfjs backend is ${tf.getBackend()}, expected wasm`);
  }
  const loadGraph = async (name: string): Promise<GraphModel> => {
    try {
      return (await tf.loadGraphModel(`${SCHEME}${name}.json`)) as unknown as GraphModel;
    } catch (err) {
      if (err instanceof EngineError) throw err;
      throw new EngineError('ENGINE_UNAVAILABLE', `Vision model ${name} failed to load from ${dir}: ${String(err)}`);
    }
  };
  const [bodyModel, selfieModel] = await Promise.all([loadGraph(bodyName), loadGraph('selfie')]);
  const bodyShape = bodyModel.inputs[0]?.shape ?? [];
  const selfieShape = selfieModel.inputs[0]?.shape ?? [];
  const inputSize = bodyShape[1] ?? -1;
  if (!(inputSize > 0)) throw new EngineError('ENGINE_UNAVAILABLE', `${bodyName} has no fixed input size`);
  return {
    tf,
    human,
    modelsDir: dir,
    body: { name: bodyName, model: bodyModel, inputSize },
    selfie: { model: selfieModel, inputHeight: selfieShape[1] ?? 256, inputWidth: selfieShape[2] ?? 256 },
    loadMs: performance.now() - started,
  };
}

let current: { dir: string; body: BodyModelName; promise: Promise<VisionModels> } | null = null;

/**
 * The models of this thread, loaded on first use. Human keeps its models in module-level variables, so one thread can
 * hold one model set only: a later call asking for another folder or body model is an error, not a silent reuse.
 */
export function loadVisionModels(options: VisionModelOptions = {}): Promise<VisionModels> {
  let dir: string;
  try {
    dir = localDir(options.modelsDir ?? defaultModelsDir()).replace(/[/\\]+$/, '');
  } catch (err) {
    return Promise.reject(err);
  }
  const body = options.bodyModel ?? DEFAULT_BODY_MODEL;
  if (current) {
    if (current.dir !== dir || current.body !== body) {
      return Promise.reject(
        new EngineError(
          'ENGINE_UNAVAILABLE',
          `Vision models already loaded in this thread from ${current.dir} (${current.body}); cannot switch to ${dir} (${body})`,
        ),
      );
    }
    return current.promise;
  }
  const promise = load(dir, body);
  current = { dir, body, promise };
  // A failed load may be retried (for example after the models were fetched): forget the rejected promise.
  promise.catch(() => {
    if (current?.promise === promise) current = null;
  });
  return promise;
}
