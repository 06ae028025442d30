/** The S3_* variables: the S3 blob store is chosen only by a complete set, and its secret never shows. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { ConfigError, parseConfig } from './config.js';

const SECRET = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY';
const complete = {
  S3_BUCKET: 'fitroom-blobs',
  S3_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  S3_SECRET_ACCESS_KEY: SECRET,
};

test('without S3_* variables blobs stay on local disk', () => {
  assert.equal(parseConfig({}).s3, null);
  assert.equal(parseConfig({ S3_BUCKET: '', S3_ENDPOINT: '' }).s3, null, 'empty counts as unset');
});

test('a complete set selects the S3 store, with AWS defaults for what is not given', () => {
  const { s3 } = parseConfig(complete);
  assert.equal(s3?.bucket, 'fitroom-blobs');
  assert.equal(s3?.accessKeyId, 'AKIDEXAMPLE');
  assert.equal(s3?.secretAccessKey.reveal(), SECRET);
  assert.equal(s3?.endpoint, null, 'AWS S3 itself');
  assert.equal(s3?.region, 'us-east-1');
  assert.equal(s3?.forcePathStyle, false);
  const minio = parseConfig({
    ...complete,
    S3_ENDPOINT: 'http://minio.internal:9000',
    S3_REGION: 'eu-west-3',
    S3_FORCE_PATH_STYLE: 'true',
  }).s3;
  assert.equal(minio?.endpoint, 'http://minio.internal:9000');
  assert.equal(minio?.region, 'eu-west-3');
  assert.equal(minio?.forcePathStyle, true);
});

test('an incomplete set stops the start with one error naming every missing variable', () => {
  assert.throws(
    () => parseConfig({ S3_BUCKET: 'fitroom-blobs' }),
    (err: Error) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /^Invalid environment variable S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: required/);
      assert.match(err.message, /S3_BUCKET is set/);
      return true;
    },
  );
  assert.throws(
    () => parseConfig({ S3_ENDPOINT: 'http://minio:9000', S3_ACCESS_KEY_ID: 'k', S3_SECRET_ACCESS_KEY: SECRET }),
    /Invalid environment variable S3_BUCKET: required for the S3 blob store/,
  );
  assert.throws(() => parseConfig({ ...complete, S3_SECRET_ACCESS_KEY: undefined }), /S3_SECRET_ACCESS_KEY: required/);
  assert.throws(() => parseConfig({ S3_FORCE_PATH_STYLE: 'true' }), /S3_BUCKET, S3_ACCESS_KEY_ID, S3_SECRET/);
});

test('bad values stop the start naming the variable', () => {
  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ S3_BUCKET: 's3://fitroom-blobs' }, /S3_BUCKET: must be a bucket name/],
    [{ S3_ENDPOINT: 'minio:9000' }, /S3_ENDPOINT/],
    [{ S3_ENDPOINT: 'ftp://minio:9000' }, /S3_ENDPOINT: must be an http/],
    [{ S3_ENDPOINT: `http://AKIDEXAMPLE:${SECRET}@minio:9000` }, /S3_ENDPOINT: must not hold credentials/],
    [{ S3_FORCE_PATH_STYLE: 'maybe' }, /S3_FORCE_PATH_STYLE/],
  ];
  for (const [env, message] of bad) {
    assert.throws(() => parseConfig({ ...complete, ...env }), message, JSON.stringify(env));
  }
});

test('the secret key never shows when the config is printed, logged or reported in an error', () => {
  const config = parseConfig(complete);
  assert.ok(!JSON.stringify(config).includes(SECRET), 'JSON (pino objects)');
  assert.ok(!inspect(config, { depth: null }).includes(SECRET), 'util.inspect (console.log)');
  assert.ok(!`${config.s3?.secretAccessKey}`.includes(SECRET), 'string conversion');
  assert.match(JSON.stringify(config.s3), /"secretAccessKey":"\[redacted\]"/);
  for (const env of [
    { S3_SECRET_ACCESS_KEY: SECRET },
    { ...complete, S3_BUCKET: 'x' },
    { S3_ENDPOINT: `http://AKIDEXAMPLE:${SECRET}@minio:9000`, ...complete },
  ]) {
    assert.throws(
      () => parseConfig(env),
      (err: Error) => !err.message.includes(SECRET),
    );
  }
});
