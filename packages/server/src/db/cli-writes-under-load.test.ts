/**
 * Fault test: SQLite busy/locked. The CLI writes (credits add, accounts set, keys create) on the data directory of a
 * server that is busy with requests and try-ons: two processes, two connections, one database file. No request may
 * get a 5xx and no CLI write may fail or be lost.
 *
 * The load keeps the server's read-then-write transactions going (an inline try-on reads the product, then writes
 * it, the generation, the debit and the job): in WAL mode a transaction that began by reading cannot become a writer
 * once another connection has committed, and SQLite then answers SQLITE_BUSY at once, without waiting for
 * busy_timeout. Each round runs the three CLI commands at the same time, so writes from both sides overlap.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { createTestContext, multipart, postTryOn, uploadPhoto } from '../testing/test-server.js';

const main = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
const ROUNDS = 3;
const LANES = 4;

test('CLI writes beside a loaded server: no 5xx, every CLI write done once', async (t) => {
  const ctx = await createTestContext({
    credits: 10_000,
    env: { RATE_LIMIT_PER_MIN: '1000000', WORKER_CONCURRENCY: '2' },
  });
  try {
    const { app, apiKey, accountId, deps } = ctx;
    const headers = { 'x-api-key': apiKey };
    const cli = async (...args: string[]) => {
      try {
        const { stdout } = await promisify(execFile)(
          process.execPath,
          ['--conditions=development', '--import', 'tsx', main, ...args],
          { env: { ...process.env, ...ctx.dataEnv, LOG_LEVEL: 'silent' }, encoding: 'utf8' },
        );
        return { ok: true, last: JSON.parse(stdout.trim().split('\n').pop() ?? 'null'), output: stdout };
      } catch (err) {
        const e = err as { stdout: string; stderr: string };
        return { ok: false, last: null, output: `${e.stdout}\n${e.stderr}` };
      }
    };

    // Small plain images: the requests' cost is then mostly their database work, which is what this test loads.
    const image = (width: number, height: number, background: string) =>
      sharp({ create: { width, height, channels: 3, background } })
        .jpeg()
        .toBuffer();
    const person = await uploadPhoto(ctx, await image(320, 400, '#c8a080'));
    assert.equal(person.status, 200);
    const garment = await image(200, 260, '#2050a0');
    const keysBefore = (await deps.db.selectFrom('api_keys').select('id').where('account_id', '=', accountId).execute())
      .length;

    const statuses = new Map<number, number>();
    const fiveHundreds: string[] = [];
    const generations: string[] = [];
    const record = (what: string, res: { statusCode: number; body: string }) => {
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      if (res.statusCode >= 500) fiveHundreds.push(`${what}: ${res.statusCode} ${res.body}`);
    };
    let stop = false;
    const lane = async (l: number) => {
      for (let i = 0; !stop; i++) {
        // The product exists after the first round: from then on each try-on updates it in its transaction.
        const tryOn = await postTryOn(
          ctx,
          {
            products: [{ externalId: `tee-${l}`, title: `Tee ${i}`, images: [{ source: { fileKey: 'g' } }] }],
            person: { image: { source: { id: person.body.imageId } } },
          },
          { g: { filename: 'g.jpg', contentType: 'image/jpeg', data: garment } },
        );
        record('POST /try-on', tryOn);
        if (tryOn.statusCode === 200) generations.push(tryOn.json().generationId as string);
        // Reads now and then; the load is mostly write transactions, where the conflicts are.
        if (i % 4 === 0) {
          record('GET /account/credits', await app.inject({ url: '/tryon/v1/account/credits', headers }));
          const last = generations.at(-1);
          if (last) record('GET /generations/:id', await app.inject({ url: `/tryon/v1/generations/${last}`, headers }));
        }
        const product = multipart([
          {
            name: 'data',
            value: JSON.stringify({
              externalId: `catalog-${l}`,
              title: `Catalog ${i}`,
              images: [{ source: { fileKey: 'g' } }],
            }),
          },
          { name: 'g', filename: 'g.jpg', contentType: 'image/jpeg', data: garment },
        ]);
        record(
          'POST /products',
          await app.inject({
            method: 'POST',
            url: '/tryon/v1/products',
            headers: { ...headers, ...product.headers },
            payload: product.payload,
          }),
        );
      }
    };
    const load = Promise.all(Array.from({ length: LANES }, (_, l) => lane(l)));

    const cliRuns: Array<{ args: string[]; ok: boolean; last: unknown; output: string }> = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const commands = [
          ['credits', 'add', '--account', accountId, '--amount', '5', '--reason', `round ${round}`],
          ['accounts', 'set', '--account', accountId, '--rate-limit', String(1_000_000 + round)],
          ['keys', 'create', '--account', accountId],
        ];
        const results = await Promise.all(commands.map(async (args) => ({ args, ...(await cli(...args)) })));
        cliRuns.push(...results);
      }
    } finally {
      stop = true;
      await load;
    }
    t.diagnostic(`answers during the CLI writes: ${JSON.stringify(Object.fromEntries(statuses))}`);

    assert.deepEqual(fiveHundreds, []);
    assert.deepEqual(
      cliRuns.filter((r) => !r.ok).map((r) => `${r.args.join(' ')}: ${r.output}`),
      [],
    );
    assert.ok(generations.length > 0);

    // Every CLI write is there, once.
    const topUps = await deps.db
      .selectFrom('credit_ledger')
      .select(['note', 'delta'])
      .where('account_id', '=', accountId)
      .where('reason', '=', 'top_up')
      .orderBy('note')
      .execute();
    assert.deepEqual(
      topUps,
      Array.from({ length: ROUNDS }, (_, r) => ({ note: `round ${r}`, delta: 5 })),
    );
    const keys = await deps.db.selectFrom('api_keys').select('id').where('account_id', '=', accountId).execute();
    assert.equal(keys.length, keysBefore + ROUNDS);
    const account = await deps.accounts.require(accountId);
    assert.equal(account.rate_limit_per_min, 1_000_000 + ROUNDS - 1);

    // The try-ons accepted meanwhile all finish, and the balance adds up.
    for (const id of generations) {
      assert.equal((await deps.generations.waitForTerminal(id, 60_000)).status, 'COMPLETED');
    }
    const ledger = await deps.db
      .selectFrom('credit_ledger')
      .select('delta')
      .where('account_id', '=', accountId)
      .execute();
    assert.equal(
      ledger.reduce((s, l) => s + l.delta, 0),
      await deps.credits.balance(accountId),
    );
    assert.equal(await deps.credits.balance(accountId), 10_000 + 5 * ROUNDS - generations.length);
  } finally {
    await ctx.close();
  }
});
