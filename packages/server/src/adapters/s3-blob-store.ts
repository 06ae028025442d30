/**
 * BlobStore on an S3-compatible bucket (scale-out deployment): every API and worker process, on any machine, sees the
 * same blobs. Clients fetch photos and results straight from the bucket through presigned GETs, so the files route of
 * the embedded deployment (`/tryon/v1/files/*`) is not served.
 *
 * No temporary files: a PutObject is all or nothing, so a process killed mid-upload leaves no object behind, and
 * there is nothing for `recoverAbandonedWork` to sweep.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { assertValidBlobKey } from '../blob-keys.js';
import type { S3Config } from '../config.js';
import { ApiError } from '../errors.js';
import type { BlobStore, StoredBlob } from '../ports/blob-store.js';
import type { Clock } from '../ports/clock.js';

/** SigV4 presigned URLs cannot live longer than a week. */
const MAX_PRESIGN_S = 7 * 24 * 3600;

/** The files route's header, so a browser caches a result fetched from the bucket as it does one from this server. */
const CACHE_CONTROL = 'private, max-age=300';

export interface S3BlobStoreOptions {
  /**
   * Presigned URLs are signed at the start of a step and expire at a step boundary, so that repeated polls within a
   * step get the same URL and a browser can cache the image (the local store's URLs do the same with 60 s). Tests of
   * expiry use 1 s.
   */
  urlStepS?: number;
  /** Attempts per request, retries included (the SDK's default is 3). */
  maxAttempts?: number;
}

/** An S3 client for the configured bucket's service. */
export function s3ClientOf(config: S3Config, maxAttempts?: number): S3Client {
  return new S3Client({
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.forcePathStyle,
    credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey.reveal() },
    // Since 3.729 the SDK adds CRC checksums to every upload and checks them on downloads; several S3-compatible
    // servers reject or mishandle those headers. Checksums only where the S3 API requires them work everywhere.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Without limits a bucket that stops answering would hold uploads and /readyz forever.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
    ...(maxAttempts ? { maxAttempts } : {}),
  });
}

/** The error an upload ends with when the bucket refuses it or cannot be reached; the SDK's error stays the cause. */
function storageUnavailable(cause: unknown): ApiError {
  const err = new ApiError(
    'STORAGE_UNAVAILABLE',
    'The server cannot store files at the moment (its object store is unreachable or refusing writes). Retry later.',
  );
  (err as Error).cause = cause;
  return err;
}

function isMissingObject(err: unknown): boolean {
  return err instanceof S3ServiceException && (err.name === 'NoSuchKey' || err.$metadata.httpStatusCode === 404);
}

export class S3BlobStore implements BlobStore {
  private readonly urlStepS: number;
  /** Recently presigned URLs: polling the same generation signs nothing again within a step. */
  private readonly recentUrls = new Map<string, string>();

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly clock: Clock,
    options: Pick<S3BlobStoreOptions, 'urlStepS'> = {},
  ) {
    this.urlStepS = options.urlStepS ?? 60;
  }

  static fromConfig(config: S3Config, clock: Clock, options: S3BlobStoreOptions = {}): S3BlobStore {
    return new S3BlobStore(s3ClientOf(config, options.maxAttempts), config.bucket, clock, options);
  }

  async put(key: string, data: Uint8Array, contentType: string): Promise<void> {
    assertValidBlobKey(key);
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: data,
          ContentType: contentType,
          CacheControl: CACHE_CONTROL,
        }),
      );
    } catch (err) {
      throw storageUnavailable(err);
    }
  }

  /** null only for a key the bucket does not hold; an unreachable bucket throws (an outage is not a deleted blob). */
  async get(key: string): Promise<StoredBlob | null> {
    assertValidBlobKey(key);
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const data = Buffer.from(await object.Body!.transformToByteArray());
      return { data, contentType: object.ContentType ?? 'application/octet-stream' };
    } catch (err) {
      if (isMissingObject(err)) return null;
      throw err;
    }
  }

  /** S3 answers 204 for a key it does not hold, so deleting twice is no error. */
  async delete(key: string): Promise<void> {
    assertValidBlobKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /** A presigned GET of the object: the client fetches it from the bucket, without an API key. */
  async signedUrl(key: string, ttlSeconds: number): Promise<string> {
    assertValidBlobKey(key);
    const nowS = this.clock.now().getTime() / 1000;
    const signedAtS = Math.floor(nowS / this.urlStepS) * this.urlStepS;
    const expiresAtS = Math.ceil((nowS + ttlSeconds) / this.urlStepS) * this.urlStepS;
    const expiresIn = Math.min(expiresAtS - signedAtS, MAX_PRESIGN_S);
    const memo = `${key}\n${signedAtS}\n${expiresIn}`;
    const known = this.recentUrls.get(memo);
    if (known) return known;
    const url = await getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
      expiresIn,
      signingDate: new Date(signedAtS * 1000),
    });
    if (this.recentUrls.size >= 5000) this.recentUrls.clear();
    this.recentUrls.set(memo, url);
    return url;
  }

  /** The bucket exists and these credentials may use it (HeadBucket: no object is read or written). */
  async ping(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
  }

  close(): void {
    this.client.destroy();
  }
}
