/**
 * Where each kind of blob is stored, one function per kind. The format is on disk (and in every `blob_key` column)
 * already: `<accountId>/<kind>/<id>.<ext>`. Changing it would lose existing files, so it is pinned by blob-keys.test.ts.
 */

/** What a stored image's bytes are: JPEG, or PNG where transparency is kept. */
export type StoredImageType = 'image/jpeg' | 'image/png';

const extension = (contentType: StoredImageType) => (contentType === 'image/png' ? 'png' : 'jpg');

/** An uploaded person photo (always normalized to JPEG); `imageId` is the image row's id. */
export function personImageKey(accountId: string, imageId: string): string {
  return `${accountId}/images/${imageId}.jpg`;
}

/** The account's watermark logo (always PNG); a new id per upload, so a replaced logo never serves stale bytes. */
export function logoKey(accountId: string, logoId: string): string {
  return `${accountId}/logo/${logoId}.png`;
}

/** A product image, as normalized (JPEG, or PNG when it has transparency). */
export function productImageKey(accountId: string, productImageId: string, contentType: StoredImageType): string {
  return `${accountId}/products/${productImageId}.${extension(contentType)}`;
}

/** A try-on's result image; `generationId` names it, so a retried job writes the same key. */
export function resultKey(accountId: string, generationId: string, contentType: StoredImageType): string {
  return `${accountId}/results/${generationId}.${extension(contentType)}`;
}

/**
 * Throws unless `key` has the shape every blob store accepts: `/`-separated segments of `A-Z a-z 0-9 _ - .`, none
 * empty, `.` or `..`, and no leading dot. On local disk this keeps a key from leaving the blob root or reaching the
 * temporary folder; the S3 store checks the same, so a key that works on one store works on the other.
 */
export function assertValidBlobKey(key: string): void {
  if (
    !/^[A-Za-z0-9_\-./]+$/.test(key) ||
    key.startsWith('.') ||
    key.split('/').some((s) => s === '' || s === '.' || s === '..')
  ) {
    throw new Error(`invalid blob key: ${key}`);
  }
}
