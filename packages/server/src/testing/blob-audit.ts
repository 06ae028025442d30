/**
 * What is on disk under `DATA_DIR/blobs` against what the database refers to, for the fault tests.
 *
 * A blob key is *referenced* when a row names it: `images.blob_key`, `product_images.blob_key`,
 * `generations.person_blob_key` and `result_blob_key`, a product image recorded in a generation's `product_snapshot`
 * (past generations keep theirs), or `accounts.logo_blob_key`.
 * An *orphan* is a file under `blobs/` whose path relative to it is not a referenced key. That includes the blob
 * store's temporary files (`blobs/.tmp/…`): on a data directory no process is writing to, every one of them is a write
 * that was never finished. (Empty folders hold no data and are not counted.)
 * A *dangling* key is a referenced key with no file — a COMPLETED generation whose result is gone, for instance.
 */
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { Db } from '../db/database.js';
import type { ProductSnapshot } from '../services/generations.service.js';

export function blobFiles(blobRoot: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else out.push(relative(blobRoot, path).split(sep).join('/'));
    }
  };
  walk(blobRoot);
  return out.sort();
}

export async function referencedBlobKeys(db: Db): Promise<Set<string>> {
  const keys = new Set<string>();
  const add = (k: string | null | undefined) => {
    if (k) keys.add(k);
  };
  for (const r of await db.selectFrom('images').select('blob_key').execute()) add(r.blob_key);
  for (const r of await db.selectFrom('product_images').select('blob_key').execute()) add(r.blob_key);
  for (const r of await db.selectFrom('accounts').select('logo_blob_key').execute()) add(r.logo_blob_key);
  const gens = await db
    .selectFrom('generations')
    .select(['person_blob_key', 'result_blob_key', 'product_snapshot', 'outfit_snapshot'])
    .execute();
  for (const g of gens) {
    add(g.person_blob_key);
    add(g.result_blob_key);
    for (const img of (JSON.parse(g.product_snapshot) as ProductSnapshot).images) add(img.blobKey);
    // An outfit's other products (outfit_snapshot, migration 0009).
    for (const item of JSON.parse(g.outfit_snapshot ?? '[]') as ProductSnapshot[]) {
      for (const img of item.images) add(img.blobKey);
    }
  }
  return keys;
}

export async function auditBlobs(db: Db, blobRoot: string): Promise<{ orphans: string[]; dangling: string[] }> {
  const files = blobFiles(blobRoot);
  const referenced = await referencedBlobKeys(db);
  const onDisk = new Set(files);
  return {
    orphans: files.filter((f) => !referenced.has(f)),
    dangling: [...referenced].filter((k) => !onDisk.has(k)).sort(),
  };
}
