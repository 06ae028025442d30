/**
 * Person photos: uploads (POST /images/upload) and person images given to /try-on by URL or fileKey. Each is
 * normalised (and by default person-aware cropped), stored as a blob, and tracked with its customer and expiry.
 */

import { personImageKey } from '../blob-keys.js';
import type { Config } from '../config.js';
import type { DbOrTx } from '../db/database.js';
import type { ImageKind, ImageRow } from '../db/schema.js';
import { ApiError } from '../errors.js';
import { newId } from '../ids.js';
import { normalizePersonPhoto } from '../images/normalize.js';
import { downloadImage } from '../net/safe-fetch.js';
import type { BlobStore } from '../ports/blob-store.js';
import { addDays, type Clock } from '../ports/clock.js';
import type { NormalizedImage, PersonCropper } from '../ports/person-cropper.js';

export class ImagesService {
  constructor(
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
    private readonly config: Config,
    private readonly cropper: PersonCropper | null,
  ) {}

  /** Decodes, validates, orients, strips and (optionally) crops; throws INVALID_IMAGE on bad bytes. */
  async normalize(bytes: Uint8Array, crop: boolean): Promise<NormalizedImage> {
    return normalizePersonPhoto(bytes, { maxPixels: this.config.maxImagePixels, crop: crop ? this.cropper : null });
  }

  /** Downloads a person image URL for /try-on; a failure is the synchronous CUSTOMER_IMAGE_FETCH_FAILED. */
  fetchPersonUrl(url: string): Promise<Buffer> {
    return downloadImage(
      url,
      this.config,
      (why) => new ApiError('CUSTOMER_IMAGE_FETCH_FAILED', `The person image URL could not be downloaded (${why}).`),
    );
  }

  /**
   * Writes the blob, then the row (in `db`, which may be the caller's transaction). If the row cannot be written the
   * blob is removed again.
   */
  async store(
    db: DbOrTx,
    accountId: string,
    image: NormalizedImage,
    opts: { kind: ImageKind; externalUserId: string | null; keepForDays: number },
  ): Promise<ImageRow> {
    const row = await this.stage(accountId, image, opts);
    try {
      await db.insertInto('images').values(row).execute();
    } catch (err) {
      await this.blobs.delete(row.blob_key);
      throw err;
    }
    return row;
  }

  /** Writes the blob and returns the row to insert; the caller inserts it (in its transaction) or deletes the blob. */
  async stage(
    accountId: string,
    image: NormalizedImage,
    opts: { kind: ImageKind; externalUserId: string | null; keepForDays: number },
  ): Promise<ImageRow> {
    const id = newId('img');
    const now = this.clock.now();
    const row: ImageRow = {
      id,
      account_id: accountId,
      kind: opts.kind,
      blob_key: personImageKey(accountId, id),
      content_type: image.contentType,
      width: image.width,
      height: image.height,
      external_user_id: opts.externalUserId,
      expires_at: addDays(now, opts.keepForDays).toISOString(),
      created_at: now.toISOString(),
    };
    await this.blobs.put(row.blob_key, image.data, image.contentType);
    return row;
  }

  /** A live image of this account, or null (unknown, another account's, or expired: all look the same). */
  async find(db: DbOrTx, accountId: string, imageId: string): Promise<ImageRow | null> {
    const row = await db
      .selectFrom('images')
      .selectAll()
      .where('id', '=', imageId)
      .where('account_id', '=', accountId)
      .where('expires_at', '>', this.clock.now().toISOString())
      .executeTakeFirst();
    return row ?? null;
  }

  /** A signed URL that never outlives the image itself. */
  signedUrl(row: Pick<ImageRow, 'blob_key' | 'expires_at'>): Promise<string> {
    const untilExpiry = Math.floor((new Date(row.expires_at).getTime() - this.clock.now().getTime()) / 1000);
    return Promise.resolve(
      this.blobs.signedUrl(row.blob_key, Math.max(1, Math.min(this.config.signedUrlTtlS, untilExpiry))),
    );
  }
}
