/**
 * Where photos and results live: local disk in the embedded deployment, an S3 bucket in scale-out.
 * Keys are `/`-separated paths chosen by the services (`acc_x/uploads/img_y.jpg`); stores never interpret them.
 */
export interface StoredBlob {
  data: Buffer;
  contentType: string;
}

export interface BlobStore {
  put(key: string, data: Uint8Array, contentType: string): Promise<void>;
  get(key: string): Promise<StoredBlob | null>;
  /** Idempotent: deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** A time-limited URL a client can GET without an API key. */
  signedUrl(key: string, ttlSeconds: number): string | Promise<string>;
  /** Throws when the store is unreachable (readiness probe). */
  ping(): Promise<void>;
}
