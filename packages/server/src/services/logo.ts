/** The account watermark logo: validated as an image, stored as PNG (keeps transparency), bounded in size. */
import { logoKey } from '../blob-keys.js';
import type { Deps } from '../deps.js';
import { newId } from '../ids.js';
import { openImage } from '../images/normalize.js';

export async function setAccountLogo(deps: Deps, accountId: string, bytes: Uint8Array) {
  const account = await deps.accounts.require(accountId);
  const img = await openImage(bytes, deps.config.maxImagePixels);
  const { data: png, info } = await img
    .resize({ width: 1024, height: 1024, fit: 'inside', withoutEnlargement: true })
    .png()
    .toBuffer({ resolveWithObject: true });
  const key = logoKey(accountId, newId('img'));
  await deps.blobs.put(key, png, 'image/png');
  await deps.accounts.update(accountId, { logoBlobKey: key });
  if (account.logo_blob_key) await deps.blobs.delete(account.logo_blob_key);
  return { account: accountId, logo: { width: info.width, height: info.height } };
}
