/**
 * The blob store the configuration asks for (deps.ts wires it): local disk with URLs this server signs and serves
 * (embedded), or an S3 bucket with presigned URLs served by the bucket (S3_* set).
 */
import { join } from 'node:path';
import type { Config } from '../config.js';
import { FILES_PATH } from '../paths.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Clock } from '../ports/clock.js';
import { LocalBlobStore } from './local-blob-store.js';
import { UrlSigner } from './url-signer.js';

export interface ChosenBlobStore {
  store: BlobStore;
  /** The signer of this server's own blob URLs (the files route); null when the bucket serves them. */
  urlSigner: UrlSigner | null;
  /** Removes the temporary files of dead processes' unfinished writes; how many (local-blob-store.ts). */
  removeAbandonedTemp(isProcessGone: (processId: string) => boolean): Promise<number>;
  close(): Promise<void>;
}

export async function createBlobStore(
  config: Pick<Config, 's3' | 'dataDir' | 'publicUrl'>,
  clock: Clock,
  signingSecret: () => Promise<string>,
): Promise<ChosenBlobStore> {
  if (config.s3) {
    // The SDK warns once, on stderr, that its releases after January 2027 need Node 22; the version installed here is
    // pinned and works on Node 20, and the warning would precede every CLI command's answer. Its documented switch:
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    // Loaded only here: the embedded deployment never loads the AWS SDK (about 140 ms of start-up).
    const { S3BlobStore } = await import('./s3-blob-store.js');
    const store = S3BlobStore.fromConfig(config.s3, clock);
    return {
      store,
      urlSigner: null,
      removeAbandonedTemp: async () => 0, // an interrupted PutObject leaves nothing behind
      close: async () => store.close(),
    };
  }
  const urlSigner = new UrlSigner(await signingSecret(), `${config.publicUrl}${FILES_PATH}`);
  const store = new LocalBlobStore(join(config.dataDir, 'blobs'), urlSigner, clock);
  return {
    store,
    urlSigner,
    removeAbandonedTemp: (isProcessGone) => store.removeAbandonedTemp(isProcessGone),
    close: async () => undefined,
  };
}
