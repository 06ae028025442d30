/** The account watermark logo: validated as an image, stored as PNG (keeps transparency), bounded in size. */
import { logoKey } from '../blob-keys.js';
import type { Deps } from '../deps.js';
import { ApiError } from '../errors.js';
import { newId } from '../ids.js';
import { openImage } from '../images/normalize.js';

/** The CLI's `accounts set-logo` and the admin API's PUT …/logo. */
export async function setAccountLogo(deps: Deps, accountId: string, bytes: Uint8Array) {
  const account = await deps.accounts.require(accountId);
  const img = await openImage(bytes, deps.config.maxImagePixels);
  let encoded: { data: Buffer; info: { width: number; height: number } };
  try {
    encoded = await img
      .resize({ width: 1024, height: 1024, fit: 'inside', withoutEnlargement: true })
      .png()
      .toBuffer({ resolveWithObject: true });
  } catch {
    // A header that reads but pixels that do not (a truncated file): the file's fault, not the server's.
    throw new ApiError('INVALID_IMAGE', 'The logo is not a readable JPEG, PNG, WebP or HEIC image.');
  }
  const { data: png, info } = encoded;
  const key = logoKey(accountId, newId('img'));
  await deps.blobs.put(key, png, 'image/png');
  await deps.accounts.update(accountId, { logoBlobKey: key });
  if (account.logo_blob_key) await deps.blobs.delete(account.logo_blob_key);
  return { account: accountId, logo: { width: info.width, height: info.height } };
}

/**
 * Removes the account's logo: the row first, then the file, so the account never points at a missing file (a crash
 * between the two leaves an orphaned file, never a broken watermark).
 */
export async function clearAccountLogo(deps: Deps, accountId: string): Promise<void> {
  const account = await deps.accounts.require(accountId);
  if (!account.logo_blob_key) return;
  await deps.accounts.update(accountId, { logoBlobKey: null });
  await deps.blobs.delete(account.logo_blob_key);
}
