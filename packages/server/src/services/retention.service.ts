/**
 * The sweeper: deletes what has outlived its retention — person images (keepForDays), generation results and person
 * snapshots (output.keepForDays), expired products — and fails generations whose job died, refunding them.
 * Runs periodically in every process that runs workers; each step is idempotent, so overlapping sweeps are harmless.
 */
import type { Db } from '../db/database.js';
import { TRY_ON_JOB, type TryOnJobPayload, tryOnPayload } from '../jobs/try-on.job.js';
import type { BlobStore } from '../ports/blob-store.js';
import { addDays, type Clock } from '../ports/clock.js';
import { type GenerationsService, IDEMPOTENCY_TTL_DAYS } from './generations.service.js';
import type { ProductsService } from './products.service.js';

export interface SweepReport {
  images: number;
  results: number;
  products: number;
  deadJobs: number;
}

export class RetentionService {
  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
    private readonly products: ProductsService,
    private readonly generations: GenerationsService,
  ) {}

  /**
   * A try-on whose job was buried (its final attempt lost its lease: its workers kept dying) leaves its generation
   * unfinished: it fails, refunded. False when the generation had finished after all.
   */
  failDeadTryOn({ generationId }: TryOnJobPayload): Promise<boolean> {
    return this.generations.fail(
      generationId,
      'ENGINE_FAILED',
      'The try-on could not be completed. Retrying may succeed.',
    );
  }

  async sweep(batch = 500): Promise<SweepReport> {
    const now = this.clock.now().toISOString();
    const report: SweepReport = { images: 0, results: 0, products: 0, deadJobs: 0 };

    const images = await this.db
      .selectFrom('images')
      .select(['id', 'blob_key'])
      .where('expires_at', '<=', now)
      .limit(batch)
      .execute();
    for (const img of images) {
      // A generation still waiting for this photo keeps it until it is done.
      const pending = await this.db
        .selectFrom('generations')
        .select('id')
        .where('person_image_id', '=', img.id)
        .where('status', 'in', ['PENDING', 'PROCESSING'])
        .executeTakeFirst();
      if (pending) continue;
      await this.db.deleteFrom('images').where('id', '=', img.id).execute();
      await this.blobs.delete(img.blob_key);
      report.images++;
    }

    const results = await this.db
      .selectFrom('generations')
      .select(['id', 'result_blob_key'])
      .where('expires_at', '<=', now)
      .where('status', 'in', ['COMPLETED', 'FAILED'])
      .where((eb) => eb.or([eb('result_blob_key', 'is not', null), eb('person_blob_key', 'is not', null)]))
      .limit(batch)
      .execute();
    for (const g of results) {
      // The row stays (clients may still poll it) but without resultImageUrl.
      await this.db
        .updateTable('generations')
        .set({ result_blob_key: null, person_blob_key: null })
        .where('id', '=', g.id)
        .execute();
      if (g.result_blob_key) await this.blobs.delete(g.result_blob_key);
      report.results++;
    }

    const products = await this.db
      .selectFrom('products')
      .select('id')
      .where('expires_at', 'is not', null)
      .where('expires_at', '<=', now)
      .limit(batch)
      .execute();
    for (const p of products) {
      const imgs = await this.db
        .selectFrom('product_images')
        .select('blob_key')
        .where('product_id', '=', p.id)
        .execute();
      await this.db.deleteFrom('products').where('id', '=', p.id).where('expires_at', '<=', now).execute();
      await this.products.deleteUnreferencedBlobs(imgs.map((i) => i.blob_key).filter((k): k is string => k !== null));
      report.products++;
    }

    // A job buried after its last lease expired (its worker kept dying) leaves its generation unfinished: fail it.
    const dead = await this.db
      .selectFrom('jobs')
      .select(['id', 'payload'])
      .where('status', '=', 'dead')
      .where('kind', '=', TRY_ON_JOB)
      .limit(batch)
      .execute();
    for (const job of dead) {
      if (await this.failDeadTryOn(tryOnPayload({ payload: JSON.parse(job.payload) }))) report.deadJobs++;
      // Handled: the generation is terminal now (FAILED and refunded, or it had finished after all).
      await this.db.updateTable('jobs').set({ status: 'done', updated_at: now }).where('id', '=', job.id).execute();
    }
    // Idempotency keys are remembered for a day: long enough for any client retry.
    await this.db
      .deleteFrom('idempotency_keys')
      .where('created_at', '<=', addDays(new Date(now), -IDEMPOTENCY_TTL_DAYS).toISOString())
      .execute();
    return report;
  }
}
