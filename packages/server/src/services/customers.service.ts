/**
 * GDPR erase (DELETE /customers/:id, spec §2.8 and §8): removes every person image and result of that customer from
 * storage, nulls `external_user_id` on the generations (they stay, anonymised, without a result), and is idempotent.
 * Deleting the blobs is what revokes their signed URLs: they answer 404 from then on.
 */
import type { Db } from '../db/database.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Clock } from '../ports/clock.js';

export class CustomersService {
  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
  ) {}

  async erase(accountId: string, externalUserId: string): Promise<{ images: number; generations: number }> {
    const images = await this.db
      .selectFrom('images')
      .select(['id', 'blob_key'])
      .where('account_id', '=', accountId)
      .where('external_user_id', '=', externalUserId)
      .execute();
    // A generation made from this customer's photo is theirs too, even when the try-on call itself was not tagged.
    const imageIds = images.map((i) => i.id);
    const generations = await this.db
      .selectFrom('generations')
      .select(['id', 'result_blob_key', 'person_blob_key'])
      .where('account_id', '=', accountId)
      .where((eb) =>
        imageIds.length
          ? eb.or([eb('external_user_id', '=', externalUserId), eb('person_image_id', 'in', imageIds)])
          : eb('external_user_id', '=', externalUserId),
      )
      .execute();
    // Rows first (one transaction), then files: if deleting a file fails, a repeat of the call cannot find it by
    // customer any more, so the retention sweeper (which works from expiry, not from the customer) still removes it.
    await this.db.transaction().execute(async (tx) => {
      if (images.length)
        await tx
          .deleteFrom('images')
          .where(
            'id',
            'in',
            images.map((i) => i.id),
          )
          .execute();
      if (generations.length) {
        await tx
          .updateTable('generations')
          .set({
            external_user_id: null,
            result_blob_key: null,
            person_blob_key: null,
            person_image_id: null,
            updated_at: this.clock.now().toISOString(),
          })
          .where(
            'id',
            'in',
            generations.map((g) => g.id),
          )
          .execute();
      }
    });
    const keys = new Set<string>();
    for (const i of images) keys.add(i.blob_key);
    for (const g of generations) {
      if (g.result_blob_key) keys.add(g.result_blob_key);
      if (g.person_blob_key) keys.add(g.person_blob_key);
    }
    await Promise.all([...keys].map((k) => this.blobs.delete(k)));
    return { images: images.length, generations: generations.length };
  }
}
