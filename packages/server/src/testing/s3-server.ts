/**
 * A real S3-protocol server for tests: the npm `s3rver` (koa, objects on disk), on 127.0.0.1 and a free port, with one
 * empty bucket. No MinIO or Docker exists on this project's machines (architecture.md).
 *
 * What s3rver does not check, so tests against it cannot either: SigV4 signatures (only the access key id must exist
 * and a presigned URL's X-Amz-Date + X-Amz-Expires must not have passed), and it serves unsigned GETs, which a private
 * bucket on real S3 refuses.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { parseConfig, type S3Config } from '../config.js';

/** The part of s3rver's API used here (the package has no types). */
interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverClass = new (options: {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string; configs: string[] }[];
}) => S3rverInstance;

/** s3rver's one built-in account (the only credentials it accepts). */
const S3RVER_KEY = 'S3RVER';

export interface S3TestServer {
  endpoint: string;
  bucket: string;
  /** The S3_* variables pointing a fitroom server at this bucket. */
  env: Record<string, string>;
  /** The parsed S3 settings (what `env` gives through parseConfig). */
  config: S3Config;
  /** An SDK client of its own, to look at the bucket independently of the store under test. */
  client: S3Client;
  /** Every key the bucket holds, sorted. */
  listKeys(): Promise<string[]>;
  close(): Promise<void>;
}

export async function startS3Server(bucket = 'fitroom-test'): Promise<S3TestServer> {
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;
  const directory = mkdtempSync(join(tmpdir(), 'fitroom-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const env = {
    S3_ENDPOINT: endpoint,
    S3_BUCKET: bucket,
    S3_REGION: 'us-east-1',
    S3_ACCESS_KEY_ID: S3RVER_KEY,
    S3_SECRET_ACCESS_KEY: S3RVER_KEY,
    S3_FORCE_PATH_STYLE: 'true',
  };
  const config = parseConfig(env).s3!;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_KEY },
  });
  return {
    endpoint,
    bucket,
    env,
    config,
    client,
    async listKeys() {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
      return (listed.Contents ?? []).map((o) => o.Key!).sort();
    },
    async close() {
      client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
