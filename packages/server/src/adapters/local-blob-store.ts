/** BlobStore on local disk (embedded deployment): `DATA_DIR/blobs/<key>`, written atomically (temp file + rename). */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { BlobStore, StoredBlob } from '../ports/blob-store.js';
import type { Clock } from '../ports/clock.js';
import type { UrlSigner } from './url-signer.js';

const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
};

export class LocalBlobStore implements BlobStore {
  private readonly root: string;

  constructor(
    root: string,
    private readonly signer: UrlSigner,
    private readonly clock: Clock,
  ) {
    this.root = resolve(root);
  }

  /** Keys come from services, but a path that escapes the root must never be written or read. */
  private pathOf(key: string): string {
    if (!/^[A-Za-z0-9_\-./]+$/.test(key) || key.split('/').some((s) => s === '' || s === '.' || s === '..')) {
      throw new Error(`invalid blob key: ${key}`);
    }
    const p = resolve(this.root, key);
    if (!p.startsWith(this.root + sep)) throw new Error(`invalid blob key: ${key}`);
    return p;
  }

  async put(key: string, data: Uint8Array): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(tmp, data);
    await rename(tmp, path);
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
    await mkdir(this.root, { recursive: true });
    await stat(this.root);
    const probe = join(this.root, `.ping-${randomBytes(4).toString('hex')}`);
    await writeFile(probe, 'ok');
    await rm(probe, { force: true });
  }
}
