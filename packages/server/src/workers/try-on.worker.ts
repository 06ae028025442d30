/**
 * Runs try-on jobs: claims a job, loads the generation, downloads pending product images, runs the engine, applies
 * the watermark / AI label, stores the result, and moves the generation to COMPLETED or FAILED (refunded).
 *
 * Delivery is at-least-once (a crashed worker's job is claimed again after its lease, or at once by a server that
 * starts and finds the worker's process dead), so every step is safe to repeat: terminal generations are skipped,
 * transitions are conditional, and a result written by a worker that lost the race is deleted again.
 */

import {
  categoryFromWords,
  EngineError,
  type GarmentCategory,
  type ProductImageInput,
  planOutfit,
  type TryOnEngine,
  type TryOnOutput,
} from '@fitroom/engine';
import type { FastifyBaseLogger } from 'fastify';
import { resultKey } from '../blob-keys.js';
import type { Account } from '../db/schema.js';
import { ApiError } from '../errors.js';
import { applyOutputMarks } from '../images/watermark.js';
import { TRY_ON_JOB, tryOnBackoffMs, tryOnPayload } from '../jobs/try-on.job.js';
import type { Metrics } from '../metrics.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { EngineRegistry } from '../ports/engine-registry.js';
import type { Job, JobQueue } from '../ports/job-queue.js';
import { thisProcessId } from '../process-identity.js';
import type { AccountsService } from '../services/accounts.service.js';
import type { GenerationsService, OutfitItemSnapshot, ProductSnapshot } from '../services/generations.service.js';
import type { ProductsService } from '../services/products.service.js';
import { claimLoop } from './claim-loop.js';

export interface TryOnWorkerDeps {
  queue: JobQueue;
  blobs: BlobStore;
  generations: GenerationsService;
  products: ProductsService;
  accounts: AccountsService;
  engines: EngineRegistry;
  logger: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
  /** Engine time per call (metrics.ts); none in tests that do not look. */
  metrics?: Pick<Metrics, 'observeEngine'>;
}

export interface WorkerOptions {
  concurrency: number;
  leaseMs?: number;
  /** Longest idle wait between claims when no wake-up arrives. */
  idleWaitMs?: number;
}

/** A typed failure: the generation ends FAILED with this code (and is refunded). */
class GenerationFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** What went wrong on the server's side, for the log (the message is the client's). */
    readonly serverCause?: unknown,
  ) {
    super(message);
  }
}

/**
 * The blob store refusing a write (disk full, read-only: STORAGE_UNAVAILABLE) fails the generation at once with that
 * code instead of retrying: it lasts until an operator acts, and the client learns why (and gets the credit back) now.
 */
function storageFailure(err: unknown, what: string): GenerationFailure | null {
  if (!(err instanceof ApiError) || err.code !== 'STORAGE_UNAVAILABLE') return null;
  return new GenerationFailure(
    'STORAGE_UNAVAILABLE',
    `The server could not store ${what} (its storage is full or read-only). Retrying later may succeed.`,
    (err as Error).cause ?? err,
  );
}

export class TryOnWorker {
  /**
   * `host:pid:start:instance`, each loop adding `#n`: the process part lets a later process prove this one dead and
   * take its jobs back at once (process-identity.ts); the instance part keeps two workers in one process (tests) apart.
   */
  private readonly id = `${thisProcessId()}:${Math.random().toString(36).slice(2, 8)}`;
  private readonly stop = new AbortController();
  private loops: Promise<void>[] = [];
  private readonly leaseMs: number;

  constructor(
    private readonly deps: TryOnWorkerDeps,
    private readonly options: WorkerOptions,
  ) {
    this.leaseMs = options.leaseMs ?? 120_000;
  }

  start(): void {
    for (let i = 0; i < this.options.concurrency; i++) this.loops.push(this.loop(`${this.id}#${i}`));
  }

  /** Stops claiming, aborts running engines, and waits for the loops; unfinished jobs are re-claimed after restart. */
  async close(): Promise<void> {
    this.stop.abort();
    await Promise.allSettled(this.loops);
  }

  private loop(workerId: string): Promise<void> {
    const { queue, logger } = this.deps;
    const options = {
      jobType: TRY_ON_JOB,
      leaseMs: this.leaseMs,
      idleWaitMs: this.options.idleWaitMs ?? 5_000,
      signal: this.stop.signal,
      what: 'a job',
    };
    return claimLoop(queue, logger, workerId, options, (job) => this.runJob(workerId, job));
  }

  /** Exposed for tests: process one claimed job. */
  async runJob(workerId: string, job: Job): Promise<void> {
    const { queue, generations, logger } = this.deps;
    const { generationId } = tryOnPayload(job);
    const lease = new AbortController();
    const onStop = () => lease.abort();
    this.stop.signal.addEventListener('abort', onStop, { once: true });
    // Keep the lease while the engine works; if it is lost, another worker owns the job now: stop ours.
    const heartbeat = setInterval(() => {
      queue.extendLease(job.id, workerId, this.leaseMs).then(
        (kept) => kept || lease.abort(),
        () => undefined,
      );
    }, this.leaseMs / 3);
    try {
      await this.process(generationId, lease.signal);
      await queue.complete(job.id, workerId);
    } catch (err) {
      if (this.stop.signal.aborted) {
        // Graceful shutdown: hand the job back at once (instead of letting its lease run out), so another worker or
        // the restarted server picks it up without waiting. A job interrupted too often ends FAILED and refunded.
        const verdict = await queue.fail(job.id, workerId, 'interrupted by shutdown', 0).catch(() => 'retrying');
        if (verdict === 'dead') {
          await generations.fail(generationId, 'ENGINE_FAILED', 'The try-on was interrupted. Retrying may succeed.');
        }
        logger.warn({ generationId }, 'try-on interrupted by shutdown; handed back to the queue');
        return;
      }
      if (lease.signal.aborted) {
        // The lease was lost: another worker owns the job now, and it alone may finish it.
        logger.warn({ generationId }, 'try-on lease lost; leaving the job to its new owner');
        return;
      }
      if (err instanceof GenerationFailure) {
        await generations.fail(generationId, err.code, err.message);
        await queue.complete(job.id, workerId);
        if (err.serverCause === undefined) logger.info({ generationId, code: err.code }, 'generation failed');
        else logger.error({ err: err.serverCause, generationId, code: err.code }, 'generation failed');
        return;
      }
      logger.error({ err, generationId, attempt: job.attempt }, 'try-on attempt failed');
      const verdict = await queue.fail(
        job.id,
        workerId,
        String((err as Error)?.message ?? err),
        tryOnBackoffMs(job.attempt),
      );
      if (verdict === 'dead') {
        // The engine's own code when it gave one (ENGINE_RATE_LIMITED, ENGINE_TIMEOUT, …): clearer than a generic one.
        const [code, message] =
          err instanceof EngineError
            ? [err.code, err.message]
            : ['ENGINE_FAILED', 'The try-on engine failed. Retrying may succeed.'];
        await generations.fail(generationId, code, message);
      }
    } finally {
      clearInterval(heartbeat);
      this.stop.signal.removeEventListener('abort', onStop);
    }
  }

  private async process(generationId: string, signal: AbortSignal): Promise<void> {
    const { generations, blobs, accounts, engines } = this.deps;
    const gen = await generations.find(generationId);
    if (!gen || gen.status === 'COMPLETED' || gen.status === 'FAILED') return; // already done: idempotent
    if (!(await generations.markProcessing(generationId))) return;

    // An outfit's products in dressing order (outfit_snapshot), or the one product.
    const outfit = gen.outfit_snapshot ? (JSON.parse(gen.outfit_snapshot) as OutfitItemSnapshot[]) : null;
    const items: ProductSnapshot[] = outfit ?? [JSON.parse(gen.product_snapshot) as ProductSnapshot];
    const productImages: ProductImageInput[][] = [];
    for (const [i, item] of items.entries()) {
      productImages.push(await this.productImages(gen.id, gen.account_id, item, outfit ? i : undefined));
    }
    const person = gen.person_blob_key ? await blobs.get(gen.person_blob_key) : null;
    if (!person) {
      throw new GenerationFailure('INVALID_IMAGE', 'The person image is no longer available (expired or deleted).');
    }
    const engine = engines.get(gen.engine);
    if (!engine)
      throw new GenerationFailure('ENGINE_FAILED', `The engine '${gen.engine}' is not available on this server.`);

    const account = await accounts.get(gen.account_id);
    const dressOne = async (on: Uint8Array, i: number): Promise<TryOnOutput> => {
      const item = items[i]!;
      const output = await this.runEngine(gen, engine, account, signal, {
        person: on,
        product: { title: item.title, description: item.description, images: productImages[i]! },
      });
      // What the engine's checks found and did not refuse (lenient mode), for the operator: never sent to the client.
      const checks = output.diagnostics?.checks as { mode?: string; findings?: unknown[] } | undefined;
      const of = outfit ? { product: item.externalId } : {};
      if (checks?.findings?.length) {
        this.deps.logger.info({ generationId, ...of, checks }, 'try-on drawn despite check findings');
      }
      if (output.diagnostics?.fellBackFrom) {
        const { engine, fellBackFrom } = output.diagnostics;
        this.deps.logger.warn({ generationId, ...of, engine, fellBackFrom }, 'try-on drawn by a fallback engine');
      }
      return output;
    };
    const output = outfit ? await this.dressOutfit(outfit, person.data, dressOne) : await dressOne(person.data, 0);

    // Watermark: the account's logo unless the request said `watermark: false`; no logo, no watermark.
    const logo = gen.watermark !== 0 && account?.logo_blob_key ? await blobs.get(account.logo_blob_key) : null;
    const marked = await applyOutputMarks(output.image, { logo: logo?.data ?? null, aiLabel: gen.ai_label === 1 });
    const key = resultKey(gen.account_id, gen.id, marked.contentType);
    try {
      await blobs.put(key, marked.data, marked.contentType);
    } catch (err) {
      throw storageFailure(err, 'the result') ?? err;
    }
    if (signal.aborted || !(await generations.complete(gen.id, key))) {
      // Lost the race (another delivery finished it, or it was failed meanwhile): our copy must not linger.
      const current = await generations.find(gen.id);
      if (current?.result_blob_key !== key) await blobs.delete(key);
    }
  }

  /** One engine call, timed for the metrics; an engine's non-retryable refusal fails the generation with its code. */
  private async runEngine(
    gen: { engine: string; engine_checks: string | null },
    engine: TryOnEngine,
    account: Account | null | undefined,
    signal: AbortSignal,
    input: { person: Uint8Array; product: Parameters<TryOnEngine['tryOn']>[0]['product'] },
  ): Promise<TryOnOutput> {
    const started = performance.now();
    const took = () => (performance.now() - started) / 1000;
    let output: TryOnOutput;
    try {
      output = await engine.tryOn({
        ...input,
        signal,
        // The mode the generation was accepted with (the account's, else ENGINE_CHECKS); older rows: strict.
        checks: gen.engine_checks === 'lenient' ? 'lenient' : 'strict',
        // The account's choice (`accounts set --identity-pass`); unset: the deployment's IDENTITY_PASS.
        ...(account?.identity_pass ? { identityPass: account.identity_pass === 'on' } : {}),
      });
    } catch (err) {
      this.deps.metrics?.observeEngine(gen.engine, 'error', took());
      if (err instanceof EngineError && !err.retryable) throw new GenerationFailure(err.code, err.message);
      throw err;
    }
    this.deps.metrics?.observeEngine(gen.engine, 'ok', took());
    return output;
  }

  /**
   * Dresses an outfit: each garment on the result of the one before, in the order accepted at submit time (a bottom
   * before a top, a dress before outerwear). Products whose words named no garment were placed by guess; the engine's
   * analysis of their image (diagnostics.garment.category, when the engine reports it) is checked after each garment:
   * a combination that cannot be layered fails the generation (UNSUPPORTED_OUTFIT, refunded), and a wrong guess of
   * the order starts the outfit again, once, in the right one (the engines cache a garment's analysis, so the
   * repeated garment costs less than the first time).
   */
  private async dressOutfit(
    items: OutfitItemSnapshot[],
    person: Uint8Array,
    dressOne: (on: Uint8Array, i: number) => Promise<TryOnOutput>,
  ): Promise<TryOnOutput> {
    const categories: Array<GarmentCategory | null> = items.map((item) => categoryFromWords(item));
    let order = items.map((_, i) => i);
    for (let round = 0; ; round++) {
      let current = person;
      let output: TryOnOutput | null = null;
      let reordered = false;
      for (const [step, i] of order.entries()) {
        output = await dressOne(current, i);
        current = output.image;
        const analysed = (output.diagnostics?.garment as { category?: unknown } | undefined)?.category;
        if (analysed === 'upper' || analysed === 'lower' || analysed === 'dress') categories[i] ??= analysed;
        const plan = planOutfit(items, categories);
        if (!plan.ok) {
          const item = items[plan.index]!;
          throw new GenerationFailure(
            'UNSUPPORTED_OUTFIT',
            `The product '${item.externalId}' (products.${item.position}) cannot be layered with the rest of the ` +
              `outfit: ${plan.message}.`,
          );
        }
        const done = order.slice(0, step + 1).join();
        if (round === 0 && plan.order.slice(0, step + 1).join() !== done) {
          order = plan.order;
          reordered = true;
          break;
        }
      }
      if (!reordered) return output!;
    }
  }

  /**
   * Product images as engine input; URL images not stored yet (inline /try-on) are downloaded now and recorded.
   * `item`: the outfit item's index in outfit_snapshot (none for a single product).
   */
  private async productImages(generationId: string, accountId: string, snapshot: ProductSnapshot, item?: number) {
    const { blobs, products, generations } = this.deps;
    const out = [];
    for (const [index, img] of snapshot.images.entries()) {
      let blobKey = img.blobKey;
      let contentHash = img.contentHash;
      if (!blobKey) {
        try {
          const bytes = await products.download(img.sourceUrl!);
          const stored = await products.storeImageBytes(accountId, bytes, 'PRODUCT_IMAGE_FETCH_FAILED', img.sourceUrl!);
          await generations.recordDownloadedImage(generationId, index, stored, item);
          blobKey = stored.blobKey;
          contentHash = stored.contentHash;
        } catch (err) {
          const storage = storageFailure(err, 'the product image');
          if (storage) throw storage;
          if (err instanceof ApiError) throw new GenerationFailure('PRODUCT_IMAGE_FETCH_FAILED', err.message);
          throw err;
        }
      }
      const blob = await blobs.get(blobKey);
      if (!blob) throw new GenerationFailure('PRODUCT_IMAGE_FETCH_FAILED', 'A stored product image is missing.');
      out.push({ data: blob.data, contentHash: contentHash ?? '', role: img.role });
    }
    return out;
  }
}
