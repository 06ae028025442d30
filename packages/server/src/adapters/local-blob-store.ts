/**
 * BlobStore on local disk (embedded deployment): `DATA_DIR/blobs/<key>`, written atomically (temporary file + rename).
 *
 * Temporary files live in `blobs/.tmp/<process id>/` (process-identity.ts), never beside the blobs: a write cut short
 * (the process killed mid-write) leaves its file in its process's folder, and a later start removes the folders of
 * processes that are provably gone without ever touching a live process's write in progress. A write that fails
 * (disk full, read-only) removes its half-written file itself and throws STORAGE_UNAVAILABLE.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { assertValidBlobKey } from '../blob-keys.js';
import { ApiError } from '../errors.js';
import type { BlobStore, StoredBlob } from '../ports/blob-store.js';
import type { Clock } from '../ports/clock.js';
import { thisProcessId } from '../process-identity.js';
import type { UrlSigner } from './url-signer.js';

const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
};

/** The folder of temporary files under the blob root (no key may begin with a dot, so none can collide with it). */
export const TEMP_DIR = '.tmp';

/**
 * errno codes meaning "the file system refuses writes": full, over quota, read-only, not permitted, I/O error, file
 * too large. Not transient in any useful sense: an operator has to act, so callers fail fast instead of retrying.
 */
const REFUSED = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EIO', 'EFBIG']);

/**
 * The error a blob write ends with when the storage refuses it: 503 STORAGE_UNAVAILABLE, its message fit for clients
 * (no path, no errno); the file-system error stays in `cause` for the log. Other errors are returned unchanged.
 */
export function storageWriteError(err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (!code || !REFUSED.has(code)) return err;
  const apiError = new ApiError(
    'STORAGE_UNAVAILABLE',
    code === 'EROFS' || code === 'EACCES' || code === 'EPERM'
      ? 'The server cannot store files at the moment (its storage is read-only). Retry later.'
      : 'The server cannot store files at the moment (its storage is full or failing). Retry later.',
  );
  (apiError as Error).cause = err;
  return apiError;
}

export class LocalBlobStore implements BlobStore {
  private readonly root: string;
  private readonly tempDir: string;

  constructor(
    root: string,
    private readonly signer: UrlSigner,
    private readonly clock: Clock,
  ) {
    this.root = resolve(root);
    this.tempDir = join(this.root, TEMP_DIR, thisProcessId());
  }

  /** Keys come from services, but a path that escapes the root must never be written or read. */
  private pathOf(key: string): string {
    assertValidBlobKey(key);
    const p = resolve(this.root, key);
    if (!p.startsWith(this.root + sep)) throw new Error(`invalid blob key: ${key}`);
    return p;
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const path = this.pathOf(key);
    const tmp = join(this.tempDir, `${randomBytes(6).toString('hex')}.tmp`);
    try {
      await mkdir(this.tempDir, { recursive: true });
      await mkdir(dirname(path), { recursive: true });
      await writeFile(tmp, data);
      await rename(tmp, path);
    } catch (err) {
      // A full disk fails the write part-way: the half-written file must not stay behind.
      await rm(tmp, { force: true }).catch(() => undefined);
      throw storageWriteError(err);
    }
  }

  async get(key: string): Promise<StoredBlob | null> {
    try {
      const data = await readFile(this.pathOf(key));
      const ext = key.slice(key.lastIndexOf('.') + 1);
      return { data, contentType: CONTENT_TYPES[ext] ?? 'application/octet-stream' };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  signedUrl(key: string, ttlSeconds: number): string {
    return this.signer.sign(key, this.clock.now().getTime() + ttlSeconds * 1000);
  }

  async ping(): Promise<void> {
    await mkdir(this.tempDir, { recursive: true });
    await stat(this.root);
    const probe = join(this.tempDir, `ping-${randomBytes(4).toString('hex')}`);
    try {
      await writeFile(probe, 'ok');
    } finally {
      await rm(probe, { force: true }).catch(() => undefined);
    }
  }

  /**
   * Removes the temporary files of processes that are provably gone (`isProcessGone(folder name)`): writes a killed
   * process never finished. Returns how many files were removed. A live process's folder is never touched.
   */
  async removeAbandonedTemp(isProcessGone: (processId: string) => boolean): Promise<number> {
    const base = join(this.root, TEMP_DIR);
    let folders: string[];
    try {
      folders = await readdir(base);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
    let files = 0;
    for (const folder of folders) {
      if (!isProcessGone(folder)) continue;
      const dir = join(base, folder);
      files += (await readdir(dir).catch(() => [])).length;
      await rm(dir, { recursive: true, force: true });
    }
    return files;
  }
}
