/** The fitroom CLI, run as a real process on the same data (DATA_DIR, and DATABASE_URL on PostgreSQL) as a running server. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EngineError, type TryOnEngine, type TryOnInput } from '@fitroom/engine';
import { createPostgresTestDatabase, testDatabaseKind } from '../testing/test-database.js';
import { createTestContext, fixtureTryOn, postTryOn, type TestContext } from '../testing/test-server.js';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));

describe('fitroom CLI (against a running server’s data directory)', () => {
  let ctx: TestContext;
  const run = async (dataEnv: Record<string, string>, extraEnv: Record<string, string>, args: string[]) => {
    try {
      const { stdout, stderr } = await promisify(execFile)(
        process.execPath,
        ['--conditions=development', '--import', 'tsx', main, ...args],
        {
          env: { ...process.env, ...dataEnv, LOG_LEVEL: 'silent', ...extraEnv },
          encoding: 'utf8',
        },
      );
      return { code: 0, stdout, stderr, last: JSON.parse(stdout.trim().split('\n').pop() ?? 'null') };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr, last: null };
    }
  };
  const cliIn = (dataEnv: Record<string, string>, ...args: string[]) => run(dataEnv, {}, args);
  const cli = (...args: string[]) => cliIn(ctx.dataEnv, ...args);
  const cliWith = (env: Record<string, string>, ...args: string[]) => run(ctx.dataEnv, env, args);
  const credits = (key: string) => ctx.app.inject({ url: '/tryon/v1/account/credits', headers: { 'x-api-key': key } });

  /** Refuses every photo as the composite engine refuses a seated person, unless the generation's mode is lenient. */
  const judging: TryOnEngine = {
    name: 'judging',
    async tryOn(input: TryOnInput) {
      if (input.checks !== 'lenient') throw new EngineError('UNSUPPORTED_POSE', 'The person appears to be seated.');
      return { image: input.person, contentType: 'image/jpeg', width: 0, height: 0 };
    },
    async close() {},
  };

  before(async () => {
    ctx = await createTestContext({ extraEngines: new Map([['judging', judging]]) });
  });
  after(() => ctx.close());

  test('accounts create prints {id, apiKey, …} as its last line; the key works on the running server at once', async () => {
    const res = await cli('accounts', 'create', '--name', 'shop', '--credits', '25', '--rate-limit', '300');
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.last.id, /^acc_/);
    assert.match(res.last.apiKey, /^gk_/);
    const r = await credits(res.last.apiKey);
    assert.deepEqual(r.json(), { creditBalance: 25 });
    assert.equal(r.headers['x-ratelimit-limit'], '300');
  });

  test('credits add writes a ledger row with the reason; accounts list shows the balance and overrides', async () => {
    const { last: acct } = await cli('accounts', 'create', '--name', 'topup');
    const add = await cli('credits', 'add', '--account', acct.id, '--amount', '40', '--reason', 'invoice 7');
    assert.deepEqual(add.last, { account: acct.id, creditBalance: 40 });
    const ledger = await ctx.deps.credits.ledgerFor(acct.id);
    assert.equal(ledger[0]?.reason, 'top_up');
    assert.equal(ledger[0]?.note, 'invoice 7');
    const list = await cli('accounts', 'list');
    const row = list.last.find((a: { id: string }) => a.id === acct.id);
    assert.equal(row.creditBalance, 40);
    assert.equal(row.activeKeys, 1);
    assert.deepEqual([row.engine, row.engineChecks], [null, null], 'no override: the deployment defaults');
    await cli('accounts', 'set', '--account', acct.id, '--engine-checks', 'lenient');
    const after = (await cli('accounts', 'list')).last.find((a: { id: string }) => a.id === acct.id);
    assert.equal(after.engineChecks, 'lenient');
  });

  test('keys create / revoke: a key revoked by the CLI stops working on the running server', async () => {
    const { last: acct } = await cli('accounts', 'create', '--name', 'keys');
    const created = await cli('keys', 'create', '--account', acct.id);
    assert.match(created.last.apiKey, /^gk_/);
    assert.equal((await credits(created.last.apiKey)).statusCode, 200); // now cached by the server
    const revoked = await cli('keys', 'revoke', '--key-id', created.last.keyId);
    assert.deepEqual(revoked.last, { keyId: created.last.keyId, revoked: true });
    await new Promise((r) => setTimeout(r, 150)); // the server looks for other processes' writes every 100 ms
    assert.equal((await credits(created.last.apiKey)).json().code, 'INVALID_API_KEY');
    assert.equal((await credits(acct.apiKey)).statusCode, 200, 'the account’s other key still works');
  });

  test('accounts set-logo stores the watermark logo (as PNG); --clear removes it', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const sharp = (await import('sharp')).default;
    const logo = join(mkdtempSync(join(tmpdir(), 'logo-')), 'logo.png');
    writeFileSync(
      logo,
      await sharp({ create: { width: 300, height: 120, channels: 4, background: '#ff000080' } })
        .png()
        .toBuffer(),
    );
    const { last: acct } = await cli('accounts', 'create', '--name', 'branded');
    const set = await cli('accounts', 'set-logo', '--account', acct.id, '--file', logo);
    assert.deepEqual(set.last, { account: acct.id, logo: { width: 300, height: 120 } });
    const row = await ctx.deps.accounts.get(acct.id);
    const stored = await ctx.deps.blobs.get(row!.logo_blob_key!);
    assert.equal((await sharp(stored!.data).metadata()).format, 'png');
    const notImage = await cli('accounts', 'set-logo', '--account', acct.id, '--file', main);
    assert.notEqual(notImage.code, 0, 'a file that is not an image is refused');
    const cleared = await cli('accounts', 'set-logo', '--account', acct.id, '--clear');
    assert.deepEqual(cleared.last, { account: acct.id, logo: null });
    assert.equal((await ctx.deps.accounts.get(acct.id))?.logo_blob_key, null);
    assert.equal(await ctx.deps.blobs.get(row!.logo_blob_key!), null, 'and its file is deleted');
  });

  test('accounts set changes the engine, rate limit, retention and outfit allowance; the running server applies them', async () => {
    const { last: acct } = await cli('accounts', 'create', '--name', 'tuned');
    const set = await cli(
      'accounts',
      'set',
      '--account',
      acct.id,
      '--engine',
      'mock',
      '--rate-limit',
      '42',
      '--retention-days',
      '3',
      '--identity-pass',
      'off',
      '--outfit-items',
      '2',
    );
    assert.deepEqual(set.last, {
      id: acct.id,
      engine: 'mock',
      engineChecks: null,
      identityPass: 'off',
      maxOutfitItems: 2,
      rateLimitPerMin: 42,
      retentionDays: 3,
    });
    await new Promise((r) => setTimeout(r, 150)); // the server notices other processes' writes within 100 ms
    assert.equal((await credits(acct.apiKey)).headers['x-ratelimit-limit'], '42');
    const reset = await cli(
      'accounts',
      'set',
      '--account',
      acct.id,
      '--engine',
      'default',
      '--rate-limit',
      'default',
      '--identity-pass',
      'default',
    );
    assert.deepEqual(reset.last, {
      id: acct.id,
      engine: null,
      engineChecks: null,
      identityPass: null,
      maxOutfitItems: 2,
      rateLimitPerMin: null,
      retentionDays: 3,
    });
    assert.equal((await cli('accounts', 'set', '--account', acct.id, '--engine', 'gpu')).code, 2);
    assert.equal((await cli('accounts', 'set', '--account', acct.id, '--retention-days', '5')).code, 2);
    assert.equal((await cli('accounts', 'set', '--account', acct.id, '--identity-pass', 'maybe')).code, 2);
    for (const n of ['0', '6', 'two']) {
      assert.equal((await cli('accounts', 'set', '--account', acct.id, '--outfit-items', n)).code, 2, n);
    }
    assert.equal((await ctx.deps.accounts.require(acct.id)).max_outfit_items, 2, 'the refusals changed nothing');
  });

  test('accounts set --engine-checks: lenient draws what strict refuses (typed code, refunded); default resets', async () => {
    const { last: acct } = await cli('accounts', 'create', '--name', 'lenient shop', '--credits', '5');
    await ctx.deps.accounts.update(acct.id, { engine: 'judging' }); // not an engine the CLI offers
    const tryOn = async () => {
      const res = await postTryOn(ctx, ...fixtureTryOn({ title: 'shirt' }), { sync: true, apiKey: acct.apiKey });
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };
    const set = await cli('accounts', 'set', '--account', acct.id, '--engine-checks', 'lenient');
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.last.engineChecks, 'lenient');
    await new Promise((r) => setTimeout(r, 150)); // the server notices other processes' writes within 100 ms
    assert.equal((await tryOn()).status, 'COMPLETED');
    assert.deepEqual((await credits(acct.apiKey)).json(), { creditBalance: 4 });

    const reset = await cli('accounts', 'set', '--account', acct.id, '--engine-checks', 'default');
    assert.equal(reset.last.engineChecks, null);
    await new Promise((r) => setTimeout(r, 150));
    const refused = await tryOn();
    assert.equal(refused.status, 'FAILED');
    assert.equal(refused.errorCode, 'UNSUPPORTED_POSE');
    assert.deepEqual((await credits(acct.apiKey)).json(), { creditBalance: 4 }, 'the refused try-on was refunded');
    assert.equal((await cli('accounts', 'set', '--account', acct.id, '--engine-checks', 'off')).code, 2);
  });

  test('accounts set refuses an engine this server cannot run, and changes nothing', async () => {
    const { last: acct } = await cli('accounts', 'create', '--name', 'no-gpu');
    const external = await cliIn(ctx.dataEnv, 'accounts', 'set', '--account', acct.id, '--engine', 'external');
    assert.equal(external.code, 1);
    assert.match(external.stderr, /^fitroom: --engine external needs EXTERNAL_ENGINE_URL/);
    const fashn = await cliIn(ctx.dataEnv, 'accounts', 'set', '--account', acct.id, '--engine', 'fashn');
    assert.equal(fashn.code, 1);
    assert.match(fashn.stderr, /^fitroom: --engine fashn needs FASHN_API_KEY .*Set them for the server and for this/);
    const composite = await cliWith(
      { VISION: 'off' },
      'accounts',
      'set',
      '--account',
      acct.id,
      '--engine',
      'composite',
    );
    assert.equal(composite.code, 1);
    assert.match(composite.stderr, /VISION=off/);
    assert.equal((await ctx.deps.accounts.get(acct.id))?.engine, null);
    const allowed = await cliWith(
      { EXTERNAL_ENGINE_URL: 'http://127.0.0.1:9/' },
      'accounts',
      'set',
      '--account',
      acct.id,
      '--engine',
      'external',
    );
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal(allowed.last.engine, 'external');
  });

  test('serve with an unknown --role is refused in one line, before anything starts', async () => {
    const bad = await cli('serve', '--role', 'scheduler');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--role must be one of api, worker, all/);
    assert.doesNotMatch(bad.stdout, /listening/);
  });

  test('accounts set-logo with a file it cannot read answers one line, no stack trace', async () => {
    const missing = await cli('accounts', 'set-logo', '--account', ctx.accountId, '--file', '/nonexistent/logo.png');
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.trim(), 'fitroom: cannot read /nonexistent/logo.png: no such file');
    const dir = await cli('accounts', 'set-logo', '--account', ctx.accountId, '--file', ctx.dataDir);
    assert.equal(dir.code, 1);
    assert.equal(dir.stderr.trim(), `fitroom: cannot read ${ctx.dataDir}: it is a directory`);
  });

  test('bad usage exits non-zero with a message; migrate is idempotent', async () => {
    const missing = await cli('accounts', 'create');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--name is required/);
    const unknown = await cli('credits', 'add', '--account', 'acc_nope', '--amount', '5');
    assert.notEqual(unknown.code, 0);
    const unknownSet = await cli('accounts', 'set', '--account', 'acc_nope', '--engine', 'mock');
    assert.equal(unknownSet.code, 1);
    assert.match(unknownSet.stderr, /unknown account: acc_nope/);
    const badAmount = await cli('credits', 'add', '--account', ctx.accountId, '--amount', 'lots');
    assert.equal(badAmount.code, 2);
    const migrate = await cli('migrate');
    assert.deepEqual(migrate.last, { applied: [] });
  });

  test('a DATABASE_URL that cannot be used is named in one line (host and database, never the password)', async () => {
    const refused = await cliWith({ DATABASE_URL: 'postgres://fitroom:s3cret@127.0.0.1:1/fitroom' }, 'migrate');
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr.trim(),
      'fitroom: cannot use the database at DATABASE_URL (127.0.0.1:1/fitroom): connect ECONNREFUSED 127.0.0.1:1',
    );
    const notUrl = await cliWith({ DATABASE_URL: 'mysql://db/fitroom' }, 'migrate');
    assert.equal(notUrl.code, 2);
    assert.match(
      notUrl.stderr,
      /Invalid environment variable DATABASE_URL: must be a postgres:\/\/ or postgresql:\/\/ URL/,
    );
  });

  test('migrate on a fresh data directory reports the migrations it applied', async () => {
    const freshDir = mkdtempSync(join(tmpdir(), 'fitroom-cli-'));
    const freshPostgres = testDatabaseKind() === 'postgres' ? await createPostgresTestDatabase() : null;
    const fresh = { DATA_DIR: freshDir, ...(freshPostgres ? { DATABASE_URL: freshPostgres.url } : {}) };
    try {
      const first = await cliIn(fresh, 'migrate');
      assert.equal(first.code, 0, first.stderr);
      assert.deepEqual(first.last, {
        applied: [
          '0001_initial',
          '0002_idempotency_keys',
          '0003_engine_checks',
          '0004_generations_by_status',
          '0005_admin_api',
          '0006_identity_pass',
          '0007_webhooks',
          '0008_admin_lists',
          '0009_outfits',
        ],
      });
      assert.deepEqual((await cliIn(fresh, 'migrate')).last, { applied: [] });
    } finally {
      rmSync(freshDir, { recursive: true, force: true });
      await freshPostgres?.drop();
    }
  });
});
