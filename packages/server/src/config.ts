/**
 * Configuration, parsed once at start-up from the environment with a schema. Nothing else reads process.env:
 * the frozen Config object is handed to whoever needs it.
 */
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import {
  capabilitiesOf,
  ENGINE_ENV,
  ENGINE_NAMES,
  EngineConfigError,
  type EngineSettings,
  engineSettingsOf,
  missingForHostedEngine,
} from './config-engines.js';
import { Secret } from './secret.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const EnvSchema = z.object({
  PORT: int(0, 65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  /** A PostgreSQL database (`postgres://user:password@host:5432/name`) instead of DATA_DIR's SQLite file. */
  DATABASE_URL: z
    .string()
    .url()
    .refine((u) => /^postgres(ql)?:\/\//.test(u), 'must be a postgres:// or postgresql:// URL')
    .optional(),
  PUBLIC_URL: z.string().url().optional(),
  RATE_LIMIT_PER_MIN: int(1, 1_000_000).default(100),
  SIGNED_URL_TTL_S: int(10, 7 * 24 * 3600).default(3600),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The default try-on engine; a product titled exactly `mock` always uses the mock engine. */
  ENGINE: z.enum(ENGINE_NAMES).default('composite'),
  EXTERNAL_ENGINE_URL: z.string().url().optional(),
  /**
   * How the engine treats a photo it judges unsuitable (seated, crossed arms, an open jacket) or a result it judges
   * poor: `strict` refuses (the generation fails with a typed code, refunded), `lenient` draws anyway. Per-account
   * override in the database.
   */
  ENGINE_CHECKS: z.enum(['strict', 'lenient']).default('strict'),
  /** Try-on jobs processed at once by this process (0 = API only, no workers). */
  WORKER_CONCURRENCY: int(0, 64).default(2),
  /** Worker threads running vision models (person crop on upload, composite engine); `auto` follows the cores. */
  ENGINE_THREADS: z.union([z.literal('auto'), int(1, 64)]).default('auto'),
  /** `off` skips the vision threads: uploads get a centred 4:5 crop and only the mock/external engines run. */
  VISION: z.enum(['on', 'off']).default('on'),
  SYNC_TIMEOUT_S: int(1, 600).default(90),
  /** How long a worker holds a job before another may take it over (it renews the lease while it works). */
  JOB_LEASE_S: int(1, 3600).default(120),
  /** Lets the server fetch product/person image URLs on private and loopback addresses. Off: SSRF protection. */
  ALLOW_PRIVATE_FETCH: bool.default('false'),
  FETCH_TIMEOUT_MS: int(100, 120_000).default(15_000),
  /** Behind a reverse proxy, take the client address from X-Forwarded-For (only then: it is trivially forged). */
  TRUST_PROXY: bool.default('false'),
  /** The job queue (BullMQ), rate limits and wake-ups in Redis, shared by every process (scale-out). */
  REDIS_URL: z
    .string()
    .url()
    .refine((u) => /^rediss?:\/\//.test(u), 'must be a redis:// or rediss:// URL')
    .optional(),
  /** Namespaces every Redis key of this deployment (several deployments, or tests, may share one Redis). */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits and _ . : - only (at most 64)')
    .default('fitroom:'),
  /** Serves GET /metrics (Prometheus) to a scraper sending it as a bearer token; unset, there is no /metrics. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /**
   * The admin API's and dashboard's token (docs/admin-api.md); unset, one is made at the first start and kept in
   * DATA_DIR/admin-token. Never an account key's `gk_` form, and long enough that guessing it is hopeless.
   */
  ADMIN_TOKEN: z
    .string()
    .min(32, 'must be at least 32 characters')
    .max(256, 'must be at most 256 characters')
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces only')
    .refine((t) => !t.startsWith('gk_'), 'must not start with gk_ (the form of account API keys)')
    .optional(),
  /** Credits granted to the `demo` account created on the first start. */
  DEMO_CREDITS: int(0, 1_000_000).default(100),
  /** Blobs in an S3-compatible bucket instead of DATA_DIR/blobs: set S3_BUCKET and the two keys (s3ConfigOf). */
  S3_BUCKET: z
    .string()
    .regex(/^[A-Za-z0-9._-]{3,63}$/, 'must be a bucket name (3-63 letters, digits, dots, hyphens), not a URL')
    .optional(),
  /** The service URL of an S3-compatible store (MinIO, Ceph, R2, …); unset: AWS S3 itself. */
  S3_ENDPOINT: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//.test(u), 'must be an http:// or https:// URL')
    .refine((u) => !new URL(u).username && !new URL(u).password, 'must not hold credentials (use S3_ACCESS_KEY_ID)')
    .optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** Path-style URLs (`endpoint/bucket/key`), which most self-hosted S3 servers need; AWS uses `bucket.endpoint/key`. */
  S3_FORCE_PATH_STYLE: bool.default('false'),
  /** The hosted engines, their resilience and the identity pass (config-engines.ts). */
  ...ENGINE_ENV,
});

/** The S3 bucket blobs go to (scale-out); see S3_* in the README. */
export interface S3Config {
  bucket: string;
  /** null: AWS S3's own endpoint for the region. */
  endpoint: string | null;
  region: string;
  accessKeyId: string;
  /** Redacted wherever the config is printed or logged (secret.ts). */
  secretAccessKey: Secret;
  forcePathStyle: boolean;
}

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** PostgreSQL connection string; null: the embedded SQLite database in dataDir. */
  databaseUrl: string | null;
  publicUrl: string;
  rateLimitPerMin: number;
  signedUrlTtlS: number;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  engine: z.infer<typeof EnvSchema>['ENGINE'];
  externalEngineUrl: string | null;
  engineChecks: z.infer<typeof EnvSchema>['ENGINE_CHECKS'];
  /** The hosted engines (FASHN, OIP, Replicate), retries, circuit breaker, fallback, identity pass. */
  engines: EngineSettings;
  workerConcurrency: number;
  engineThreads: number;
  vision: boolean;
  syncTimeoutS: number;
  jobLeaseS: number;
  allowPrivateFetch: boolean;
  fetchTimeoutMs: number;
  trustProxy: boolean;
  /** Redis for the queue, rate limits and wake-ups; null: all in this process and its database (embedded). */
  redis: { url: Secret; prefix: string } | null;
  /** GET /metrics's bearer token; null: no /metrics. */
  metricsToken: Secret | null;
  /** ADMIN_TOKEN; null: the one kept in DATA_DIR/admin-token (made at the first start, admin-token.ts). */
  adminToken: Secret | null;
  demoCredits: number;
  /** Where blobs go: null for DATA_DIR/blobs (embedded), else an S3 bucket. */
  s3: S3Config | null;
  /** Fixed limits of the contract (spec §2.1, §8). */
  maxUploadBytes: number;
  maxImagePixels: number;
}

export class ConfigError extends Error {}

/**
 * The engine thread count for a machine with `cores` cores: one thread per two cores, at least one. One engine thread
 * keeps about 1.3 cores busy (libvips decodes and encodes on threads of its own), and the main thread needs the rest
 * for HTTP, SQLite and uploads: on 2 cores a second engine thread measured 0.72× the throughput of one
 * (docs/benchmarks.md).
 */
export function defaultEngineThreads(cores: number = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / 2));
}

type Env = z.infer<typeof EnvSchema>;

const S3_VARIABLES = [
  'S3_BUCKET',
  'S3_ENDPOINT',
  'S3_REGION',
  'S3_ACCESS_KEY_ID',
  'S3_SECRET_ACCESS_KEY',
  'S3_FORCE_PATH_STYLE',
] as const;

/**
 * The S3 blob store's settings, or null when no S3_* variable is set (blobs stay on local disk). A partial set stops
 * the start instead of falling back to local disk: a scale-out process writing blobs only it can see would lose them.
 * Credentials are required rather than left to the AWS SDK's default chain, so a missing key is a start-up error
 * naming the variable and not a first failed upload.
 */
function s3ConfigOf(e: Env, present: Record<string, unknown>): S3Config | null {
  const given = S3_VARIABLES.filter((name) => name in present);
  if (given.length === 0) return null;
  const missing = (['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const).filter((name) => !e[name]);
  if (missing.length > 0) {
    throw new ConfigError(
      `Invalid environment variable ${missing.join(', ')}: required for the S3 blob store (${given.join(', ')} ` +
        `${given.length === 1 ? 'is' : 'are'} set); set S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, ` +
        'or none of the S3_* variables to keep blobs in DATA_DIR',
    );
  }
  return {
    bucket: e.S3_BUCKET!,
    endpoint: e.S3_ENDPOINT ?? null,
    region: e.S3_REGION,
    accessKeyId: e.S3_ACCESS_KEY_ID!,
    secretAccessKey: new Secret(e.S3_SECRET_ACCESS_KEY!),
    forcePathStyle: e.S3_FORCE_PATH_STYLE,
  };
}

export function parseConfig(env: Record<string, string | undefined>, cwd = process.cwd()): Readonly<Config> {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`Invalid environment variable ${String(issue.path[0])}: ${issue.message}`);
  }
  const e = parsed.data;
  if (e.ENGINE === 'external' && !e.EXTERNAL_ENGINE_URL) {
    throw new ConfigError('Invalid environment variable EXTERNAL_ENGINE_URL: required when ENGINE=external');
  }
  let engines: EngineSettings;
  try {
    engines = engineSettingsOf(e);
  } catch (err) {
    throw err instanceof EngineConfigError ? new ConfigError(err.message) : err;
  }
  const named = [
    ['ENGINE', e.ENGINE],
    ...engines.fallback.map((f) => ['ENGINE_FALLBACK', f]),
    ...Object.values(engines.byCategory).map((f) => ['ENGINE_BY_CATEGORY', f]),
  ];
  for (const [variable, name] of named) {
    const missing = missingForHostedEngine(name!, { externalEngineUrl: e.EXTERNAL_ENGINE_URL ?? null, engines });
    if (missing) throw new ConfigError(`Invalid environment variable ${variable}: ${name} ${missing}`);
  }
  for (const [category, name] of Object.entries(engines.byCategory)) {
    const { categories } = capabilitiesOf(name, engines);
    if (!(categories as string[]).includes(category)) {
      throw new ConfigError(
        `Invalid environment variable ENGINE_BY_CATEGORY: ${name} does not dress '${category}' garments (its categories: ${categories.join(', ')})`,
      );
    }
  }
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    dataDir: isAbsolute(e.DATA_DIR) ? e.DATA_DIR : resolve(cwd, e.DATA_DIR),
    databaseUrl: e.DATABASE_URL ?? null,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    rateLimitPerMin: e.RATE_LIMIT_PER_MIN,
    signedUrlTtlS: e.SIGNED_URL_TTL_S,
    logLevel: e.LOG_LEVEL,
    engine: e.ENGINE,
    externalEngineUrl: e.EXTERNAL_ENGINE_URL ?? null,
    engineChecks: e.ENGINE_CHECKS,
    engines,
    workerConcurrency: e.WORKER_CONCURRENCY,
    engineThreads: e.ENGINE_THREADS === 'auto' ? defaultEngineThreads() : e.ENGINE_THREADS,
    vision: e.VISION === 'on',
    syncTimeoutS: e.SYNC_TIMEOUT_S,
    jobLeaseS: e.JOB_LEASE_S,
    allowPrivateFetch: e.ALLOW_PRIVATE_FETCH,
    fetchTimeoutMs: e.FETCH_TIMEOUT_MS,
    trustProxy: e.TRUST_PROXY,
    redis: e.REDIS_URL ? { url: new Secret(e.REDIS_URL), prefix: e.REDIS_PREFIX } : null,
    metricsToken: e.METRICS_TOKEN ? new Secret(e.METRICS_TOKEN) : null,
    adminToken: e.ADMIN_TOKEN ? new Secret(e.ADMIN_TOKEN) : null,
    demoCredits: e.DEMO_CREDITS,
    s3: s3ConfigOf(e, present),
    maxUploadBytes: 10 * 1024 * 1024,
    maxImagePixels: 40_000_000,
  });
}
