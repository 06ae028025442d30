/**
 * The engine settings of config.ts: which engines exist (ENGINE_NAMES), the hosted engines' variables (FASHN_*,
 * OIP_*, REPLICATE_*), their resilience (retries, timeout, circuit breaker, fallback) and the identity pass. Parsed
 * once with the rest of the configuration (parseConfig merges ENGINE_ENV into its schema and calls
 * engineSettingsOf); keys are Secrets, so they never show when the config is printed or logged.
 */
import { FASHN_CATEGORIES, FASHN_DEFAULT_BASE_URL, FASHN_MODES, REPLICATE_DEFAULT_BASE_URL } from '@fitroom/engine';
import { z } from 'zod';
import { Secret } from './secret.js';

/** Every engine a deployment (ENGINE), an account (`accounts set --engine`) or a fallback may name. */
export const ENGINE_NAMES = ['composite', 'mock', 'external', 'fashn', 'oip', 'replicate'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];
/** The engines that send the photo elsewhere: their results get the identity pass, their calls the resilience. */
export const HOSTED_ENGINES: readonly EngineName[] = ['external', 'fashn', 'oip', 'replicate'];

type GarmentCategory = 'upper' | 'lower' | 'dress';

/** The longest side FASHN takes (its adapter scales the person photo down to it). */
const FASHN_MAX_SIDE = 2000;
type Licence = 'commercial' | 'non-commercial';
const EVERY_CATEGORY: GarmentCategory[] = ['upper', 'lower', 'dress'];

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must be an http:// or https:// URL');
const licence = z.enum(['commercial', 'non-commercial']);
const categories = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.enum(['upper', 'lower', 'dress'])).min(1, 'name at least one of upper, lower, dress'));
const engineList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.enum(ENGINE_NAMES)));
/** `dress=fashn,lower=oip`: an engine per garment category. */
const byCategory = z.string().transform((s, ctx) => {
  const out: Partial<Record<GarmentCategory, EngineName>> = {};
  for (const pair of s
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [category, engine, extra] = pair.split('=').map((x) => x.trim());
    if (extra !== undefined || !category || !engine) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `'${pair}' is not category=engine, e.g. dress=fashn` });
      return z.NEVER;
    }
    if (!(EVERY_CATEGORY as string[]).includes(category)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `'${category}' is not a category: upper, lower or dress` });
      return z.NEVER;
    }
    if (!(ENGINE_NAMES as readonly string[]).includes(engine)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `'${engine}' is not an engine: ${ENGINE_NAMES.join(', ')}`,
      });
      return z.NEVER;
    }
    out[category as GarmentCategory] = engine as EngineName;
  }
  return out;
});
const jsonObject = z.string().transform((s, ctx) => {
  try {
    const v = JSON.parse(s) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {}
  ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be a JSON object, e.g. {"steps": 30}' });
  return z.NEVER;
});

/** The variables, merged into config.ts's schema. */
export const ENGINE_ENV = {
  /** The person's own pixels restored outside the garment region of hosted engines' results. */
  IDENTITY_PASS: z.enum(['on', 'off']).default('on'),
  /**
   * An engine per garment category (by the product's words), over ENGINE and under an account's own engine:
   * `dress=fashn,lower=oip`.
   */
  ENGINE_BY_CATEGORY: byCategory.optional(),
  /** Engines to hand a try-on to, in order, when the chosen one is down, rate-limited or cannot dress the product. */
  ENGINE_FALLBACK: engineList.optional(),
  ENGINE_TIMEOUT_S: int(1, 900).default(120),
  ENGINE_RETRIES: int(0, 5).default(2),
  ENGINE_BACKOFF_MS: int(0, 60_000).default(1000),
  ENGINE_CIRCUIT_FAILURES: int(1, 1000).default(5),
  ENGINE_CIRCUIT_OPEN_S: int(1, 3600).default(60),
  /** Whether engines whose model is licensed for non-commercial use only may be chosen. */
  ENGINE_NONCOMMERCIAL: z.enum(['refuse', 'allow']).default('refuse'),
  FASHN_API_KEY: z.string().min(1).optional(),
  FASHN_BASE_URL: httpUrl.default(FASHN_DEFAULT_BASE_URL),
  FASHN_MODEL: z.string().min(1).default('tryon-v1.6'),
  FASHN_CATEGORY: z.enum(FASHN_CATEGORIES).default('auto'),
  FASHN_MODE: z.enum(FASHN_MODES).default('balanced'),
  OIP_URL: httpUrl.optional(),
  OIP_MODEL: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,128}$/, 'a model name: letters, digits, _ . - only')
    .optional(),
  OIP_MODEL_VERSION: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/)
    .optional(),
  OIP_TOKEN: z.string().min(1).optional(),
  OIP_LICENCE: licence.optional(),
  OIP_CATEGORIES: categories.default('upper,lower,dress'),
  OIP_MAX_SIDE: int(256, 8192).default(1024),
  REPLICATE_API_TOKEN: z.string().min(1).optional(),
  REPLICATE_BASE_URL: httpUrl.default(REPLICATE_DEFAULT_BASE_URL),
  REPLICATE_MODEL_VERSION: z
    .string()
    .regex(/^[A-Za-z0-9]{8,128}$/, 'a model version id')
    .optional(),
  REPLICATE_INPUT: jsonObject.optional(),
  REPLICATE_LICENCE: licence.optional(),
  REPLICATE_CATEGORIES: categories.default('upper,lower,dress'),
  REPLICATE_MAX_SIDE: int(256, 8192).default(1024),
};

type EngineEnv = z.infer<z.ZodObject<typeof ENGINE_ENV>>;

export interface HostedCapabilities {
  categories: GarmentCategory[];
  maxSide: number | null;
  licence: Licence;
}

export interface EngineSettings {
  identityPass: boolean;
  /** ENGINE_BY_CATEGORY: the engine of a product whose words name the category (an account's own engine wins). */
  byCategory: Partial<Record<GarmentCategory, EngineName>>;
  fallback: EngineName[];
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  circuit: { failures: number; openMs: number };
  allowNonCommercial: boolean;
  fashn: {
    apiKey: Secret;
    baseUrl: string;
    model: string;
    category: (typeof FASHN_CATEGORIES)[number];
    mode: (typeof FASHN_MODES)[number];
  } | null;
  oip: {
    baseUrl: string;
    model: string;
    version: string | null;
    token: Secret | null;
    capabilities: HostedCapabilities;
  } | null;
  replicate: {
    apiToken: Secret;
    baseUrl: string;
    version: string;
    input: Record<string, unknown>;
    capabilities: HostedCapabilities;
  } | null;
}

export class EngineConfigError extends Error {}

const need = (variable: string, why: string) =>
  new EngineConfigError(`Invalid environment variable ${variable}: required ${why}`);

const LICENCE_HINT =
  '(the licence of the model you serve: commercial, or non-commercial — CatVTON and IDM-VTON weights are CC BY-NC-SA 4.0)';

/** The engine settings; a half-configured hosted engine stops the start with the variable it lacks. */
export function engineSettingsOf(e: EngineEnv): EngineSettings {
  let oip: EngineSettings['oip'] = null;
  if (e.OIP_URL) {
    if (!e.OIP_MODEL) throw need('OIP_MODEL', 'with OIP_URL (the model name in /v2/models/{name}/infer)');
    if (!e.OIP_LICENCE) throw need('OIP_LICENCE', `with OIP_URL ${LICENCE_HINT}`);
    oip = {
      baseUrl: e.OIP_URL,
      model: e.OIP_MODEL,
      version: e.OIP_MODEL_VERSION ?? null,
      token: e.OIP_TOKEN ? new Secret(e.OIP_TOKEN) : null,
      capabilities: { categories: e.OIP_CATEGORIES, maxSide: e.OIP_MAX_SIDE, licence: e.OIP_LICENCE },
    };
  }
  let replicate: EngineSettings['replicate'] = null;
  if (e.REPLICATE_API_TOKEN) {
    if (!e.REPLICATE_MODEL_VERSION) throw need('REPLICATE_MODEL_VERSION', 'with REPLICATE_API_TOKEN');
    if (!e.REPLICATE_LICENCE) throw need('REPLICATE_LICENCE', `with REPLICATE_API_TOKEN ${LICENCE_HINT}`);
    replicate = {
      apiToken: new Secret(e.REPLICATE_API_TOKEN),
      baseUrl: e.REPLICATE_BASE_URL,
      version: e.REPLICATE_MODEL_VERSION,
      input: e.REPLICATE_INPUT ?? {},
      capabilities: {
        categories: e.REPLICATE_CATEGORIES,
        maxSide: e.REPLICATE_MAX_SIDE,
        licence: e.REPLICATE_LICENCE,
      },
    };
  }
  return {
    identityPass: e.IDENTITY_PASS === 'on',
    byCategory: e.ENGINE_BY_CATEGORY ?? {},
    fallback: e.ENGINE_FALLBACK ?? [],
    timeoutMs: e.ENGINE_TIMEOUT_S * 1000,
    retries: e.ENGINE_RETRIES,
    backoffMs: e.ENGINE_BACKOFF_MS,
    circuit: { failures: e.ENGINE_CIRCUIT_FAILURES, openMs: e.ENGINE_CIRCUIT_OPEN_S * 1000 },
    allowNonCommercial: e.ENGINE_NONCOMMERCIAL === 'allow',
    fashn: e.FASHN_API_KEY
      ? {
          apiKey: new Secret(e.FASHN_API_KEY),
          baseUrl: e.FASHN_BASE_URL,
          model: e.FASHN_MODEL,
          category: e.FASHN_CATEGORY,
          mode: e.FASHN_MODE,
        }
      : null,
    oip,
    replicate,
  };
}

/**
 * What `engine` can do on this server (the fallback chain and ENGINE_BY_CATEGORY choose by it): the local engines and
 * fitroom's own protocol take every category at any size under fitroom's licence; FASHN's model is commercial and
 * takes photos up to 2000 px; a model behind OIP or Replicate is what its operator declared (OIP_*, REPLICATE_*).
 */
export function capabilitiesOf(engine: string, s: EngineSettings): HostedCapabilities {
  if (engine === 'oip' && s.oip) return s.oip.capabilities;
  if (engine === 'replicate' && s.replicate) return s.replicate.capabilities;
  if (engine === 'fashn') return { categories: EVERY_CATEGORY, maxSide: FASHN_MAX_SIDE, licence: 'commercial' };
  return { categories: EVERY_CATEGORY, maxSide: null, licence: 'commercial' };
}

/**
 * What this server lacks to run `engine`, or null when it can. Every try-on given to an engine the server cannot
 * run would fail (refunded), so a deployment or account setting naming one is refused instead.
 */
export function missingForHostedEngine(
  engine: string,
  config: { externalEngineUrl: string | null; engines: EngineSettings },
): string | null {
  const s = config.engines;
  if (engine === 'external' && !config.externalEngineUrl) {
    return 'needs EXTERNAL_ENGINE_URL (the base URL of your inference service, docs/external-engine.md)';
  }
  if (engine === 'fashn' && !s.fashn) return 'needs FASHN_API_KEY (docs/external-engine.md)';
  if (engine === 'oip' && !s.oip) return 'needs OIP_URL, OIP_MODEL and OIP_LICENCE (docs/external-engine.md)';
  if (engine === 'replicate' && !s.replicate) {
    return 'needs REPLICATE_API_TOKEN, REPLICATE_MODEL_VERSION and REPLICATE_LICENCE (docs/external-engine.md)';
  }
  const caps = engine === 'oip' ? s.oip?.capabilities : engine === 'replicate' ? s.replicate?.capabilities : null;
  if (caps?.licence === 'non-commercial' && !s.allowNonCommercial) {
    return 'serves a model licensed for non-commercial use only; set ENGINE_NONCOMMERCIAL=allow on a non-commercial deployment';
  }
  return null;
}
