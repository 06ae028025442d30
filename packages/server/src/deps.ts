/**
 * The one place where adapters are chosen and wired (architecture.md: a plain `deps` object built once at start-up,
 * handed to routes, workers and the CLI). The embedded deployment by default (SQLite, local disk, the job queue on
 * the database, memory rate limits); `DATABASE_URL` puts the database (and so the job queue) on PostgreSQL. The other
 * scale-out adapters slot into the same factory.
 */

import { randomBytes } from 'node:crypto';
import { createBlobStore } from './adapters/create-blob-store.js';
import { MemoryGenerationEvents } from './adapters/memory-generation-events.js';
import { MemoryRateLimitStore } from './adapters/memory-rate-limit-store.js';
import { AUTH_CHANGES_CHANNEL, PgAuthChanges } from './adapters/pg-auth-changes.js';
import { JOBS_CHANNEL, pgEnqueueSignal } from './adapters/pg-enqueue-signal.js';
import { PgListener } from './adapters/pg-listener.js';
import { connectRedisAdapters, type RedisAdapters, redisErrorReporter } from './adapters/redis-adapters.js';
import { type EnqueueSignal, SqlJobQueue } from './adapters/sql-job-queue.js';
import { sqliteAuthChanges } from './adapters/sqlite-auth-changes.js';
import type { UrlSigner } from './adapters/url-signer.js';
import type { Config } from './config.js';
import { type Db, openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrations.js';
import { TRY_ON_JOB, tryOnPayload } from './jobs/try-on.job.js';
import type { AuthChanges } from './ports/auth-changes.js';
import type { BlobStore } from './ports/blob-store.js';
import { type Clock, systemClock } from './ports/clock.js';
import type { GenerationEvents } from './ports/generation-events.js';
import type { JobQueue } from './ports/job-queue.js';
import type { PersonCropper } from './ports/person-cropper.js';
import type { RateLimitStore } from './ports/rate-limit-store.js';
import { isProcessGone, parseProcessId } from './process-identity.js';
import { AccountsService } from './services/accounts.service.js';
import { CreditsService } from './services/credits.service.js';
import { CustomersService } from './services/customers.service.js';
import { ExternalWrites } from './services/external-writes.js';
import { GenerationsService } from './services/generations.service.js';
import { ImagesService } from './services/images.service.js';
import { ProductsService } from './services/products.service.js';
import { RetentionService } from './services/retention.service.js';
import { WebhooksService } from './services/webhooks.service.js';

/** How this process hears of what other processes on the database did: key and account changes, new jobs. */
interface CrossProcessSignals {
  authChanges: AuthChanges;
  /** None on SQLite: other processes' jobs are found by polling (500 ms). */
  enqueueSignal?: EnqueueSignal;
  close(): Promise<void>;
}

/** SQLite: `PRAGMA data_version`. PostgreSQL: LISTEN/NOTIFY on one connection of this process's own. */
async function crossProcessSignals(db: Db, config: Pick<Config, 'databaseUrl'>): Promise<CrossProcessSignals> {
  if (!config.databaseUrl) return { authChanges: sqliteAuthChanges(db), close: async () => {} };
  const listener = await PgListener.start(config.databaseUrl, [AUTH_CHANGES_CHANNEL, JOBS_CHANNEL]);
  return {
    authChanges: new PgAuthChanges(db, listener),
    enqueueSignal: pgEnqueueSignal(listener),
    close: () => listener.close(),
  };
}

export interface Deps {
  config: Readonly<Config>;
  clock: Clock;
  db: Db;
  blobs: BlobStore;
  /** Present in the embedded deployment, where this server serves its own signed blob URLs. */
  urlSigner: UrlSigner | null;
  rateLimits: RateLimitStore;
  queue: JobQueue;
  events: GenerationEvents;
  accounts: AccountsService;
  credits: CreditsService;
  images: ImagesService;
  products: ProductsService;
  generations: GenerationsService;
  customers: CustomersService;
  retention: RetentionService;
  webhooks: WebhooksService;
  /**
   * Whether this process runs the periodic task `name` now (the retention sweep, the reconciler): always on its own;
   * with Redis, one process per `ttlMs` across every process of the deployment.
   */
  takeTurn(name: string, ttlMs: number): Promise<boolean>;
  /** Aborted when the process starts shutting down: long waits (/try-on/sync) answer at once instead of holding it. */
  stopping: AbortSignal;
  /**
   * Takes back what processes that are provably dead left unfinished (process-identity.ts): the jobs they held (their
   * leases end now, so they run again at once) and their temporary blob files. A server calls it before its workers
   * start; a live process's work is never touched, so it is safe beside the CLI or a second server on the DATA_DIR.
   */
  recoverAbandonedWork(): Promise<RecoveredWork>;
  /** Starts the shutdown (aborts `stopping`); `close` frees the resources. */
  beginShutdown(): void;
  close(): Promise<void>;
}

export interface RecoveredWork {
  /** Jobs whose lease was ended because their holder is dead. */
  jobs: number;
  /** The dead processes (`host:pid:start`) that held them. */
  processes: string[];
  /** Temporary files of unfinished blob writes removed. */
  tempFiles: number;
}

export interface DepsOverrides {
  clock?: Clock;
  cropper?: PersonCropper | null;
  /** Wraps the blob store the services use (a fault-injection test's small fake around the real store). */
  wrapBlobs?: (store: BlobStore) => BlobStore;
}

/** The secret that signs blob URLs: made once per data directory and kept in the database, so the CLI agrees. */
async function signingSecret(db: Db): Promise<string> {
  const existing = await db.selectFrom('kv').select('value').where('key', '=', 'url_signing_secret').executeTakeFirst();
  if (existing) return existing.value;
  await db
    .insertInto('kv')
    .values({ key: 'url_signing_secret', value: randomBytes(32).toString('base64url') })
    .onConflict((oc) => oc.doNothing())
    .execute();
  const row = await db
    .selectFrom('kv')
    .select('value')
    .where('key', '=', 'url_signing_secret')
    .executeTakeFirstOrThrow();
  return row.value;
}

export async function createDeps(config: Readonly<Config>, overrides: DepsOverrides = {}): Promise<Deps> {
  const clock = overrides.clock ?? systemClock;
  const db = openDatabase(config);
  let signals: CrossProcessSignals | null = null;
  let redis: RedisAdapters | null = null;
  try {
    await migrateToLatest(db as unknown as Parameters<typeof migrateToLatest>[0]);
    signals = await crossProcessSignals(db, config);
    // With Redis the queue, the rate limits and the wake-ups are shared by every process; without, they live here.
    if (config.redis) {
      redis = await connectRedisAdapters(config.redis.url.reveal(), config.redis.prefix, redisErrorReporter());
    }
  } catch (err) {
    // Open pools and listeners would otherwise keep the process alive after the failed start.
    await signals?.close();
    await db.destroy();
    throw err;
  }
  const blobStore = await createBlobStore(config, clock, () => signingSecret(db));
  const blobs = overrides.wrapBlobs ? overrides.wrapBlobs(blobStore.store) : blobStore.store;
  const credits = new CreditsService(db, clock);
  // One check for other processes' commits, shared by the authentication cache and the polled generation rows.
  const external = new ExternalWrites(signals.authChanges, !config.databaseUrl);
  const accounts = new AccountsService(db, clock, credits, signals.authChanges, external);
  const images = new ImagesService(blobs, clock, config, overrides.cropper ?? null);
  const products = new ProductsService(db, blobs, clock, config);
  const sqlQueue = redis ? null : new SqlJobQueue({ db, clock, enqueueSignal: signals.enqueueSignal });
  const queue: JobQueue = redis?.queue ?? sqlQueue!;
  const events = redis?.events ?? new MemoryGenerationEvents();
  const webhooks = new WebhooksService(db, clock, queue, config);
  const generations = new GenerationsService(
    db,
    blobs,
    clock,
    config,
    credits,
    images,
    products,
    queue,
    events,
    webhooks,
    external,
  );
  const retention = new RetentionService(db, blobs, clock, products, generations);
  // BullMQ buries a job whose final attempt lost its lease at the next claim; its generation fails then (the database
  // queue leaves such jobs to the retention sweep).
  redis?.queue.whenBuried(async (job) => {
    if (job.kind === TRY_ON_JOB) await retention.failDeadTryOn(tryOnPayload(job));
  });
  const stopping = new AbortController();
  return {
    config,
    clock,
    db,
    blobs,
    urlSigner: blobStore.urlSigner,
    rateLimits: redis?.rateLimits ?? new MemoryRateLimitStore(),
    accounts,
    credits,
    images,
    products,
    queue,
    events,
    generations,
    customers: new CustomersService(db, blobs, clock),
    retention,
    webhooks,
    takeTurn: (name, ttlMs) => redis?.takeTurn(name, ttlMs) ?? Promise.resolve(true),
    stopping: stopping.signal,
    async recoverAbandonedWork() {
      // BullMQ's stalled check hands back a dead worker's jobs by itself (after their lock runs out).
      const released = sqlQueue ? await sqlQueue.releaseJobsOfGoneHolders(isProcessGone) : { jobs: 0, holders: [] };
      const processes = new Set(
        released.holders.map((h) => {
          const p = parseProcessId(h)!;
          return `${p.host}:${p.pid}:${p.start}`;
        }),
      );
      const tempFiles = await blobStore.removeAbandonedTemp(isProcessGone);
      return { jobs: released.jobs, processes: [...processes], tempFiles };
    },
    beginShutdown: () => stopping.abort(),
    async close() {
      stopping.abort();
      await (redis ?? queue).close();
      await signals.close();
      await db.destroy();
      await blobStore.close();
    },
  };
}
