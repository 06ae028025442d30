/**
 * Webhooks end to end: real try-ons through the API (mock engine), events POSTed to a local receiver and checked with
 * the SDK's `verifyWebhook`, retries driven by a hand-moved clock (no real waits), the SSRF guard, a server restart,
 * validation of `webhookUrl`, and the CLI's endpoint, log and redelivery commands. Runs on the scale-out pass too
 * (PostgreSQL, BullMQ, S3): there a retry's BullMQ delay runs on real time, so after moving the clock the test does
 * what the minute's sweep does, `requeueDue`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EngineError, type TryOnEngine } from '@fitroom/engine';
import { verifyWebhook, WebhookVerificationError } from '@fitroom/sdk';
import {
  WEBHOOK_JOB,
  WEBHOOK_MAX_ATTEMPTS,
  WEBHOOK_RETRY_DELAYS_MS,
  WEBHOOK_TIMEOUT_MS,
  webhookRetryDelayMs,
} from '../jobs/webhook.job.js';
import { ManualClock } from '../ports/clock.js';
import { createServer } from '../server.js';
import { WEBHOOK_LOG_DAYS } from '../services/webhooks.service.js';
import { type AdminClient, adminClient } from '../testing/admin-client.js';
import { freePort } from '../testing/processes.js';
import { createTestContext, fixtureTryOn, postTryOn, type TestContext } from '../testing/test-server.js';
import { WebhookWorker } from './webhook.worker.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on 127.0.0.1 answering each request with the status `answer` gives (by arrival, from 0). */
async function startReceiver(answer: (index: number) => number = () => 200, port = 0) {
  const received: Received[] = [];
  const server: Server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const index = received.length;
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(answer(index)).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    received,
    port: bound,
    url: `http://127.0.0.1:${bound}/hooks`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Waits for a condition (polling), failing with `what` after 20 s: no test asserts on how long anything takes. */
async function until<T>(
  check: () => Promise<T | null | false | undefined> | T | null | false | undefined,
  what: string,
) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const deliveries = (ctx: TestContext, accountId = ctx.accountId) =>
  ctx.deps.db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('created_at')
    .execute();

const credits = async (ctx: TestContext, apiKey = ctx.apiKey) =>
  (await ctx.app.inject({ url: '/tryon/v1/account/credits', headers: { 'x-api-key': apiKey } })).json()
    .creditBalance as number;

const getGeneration = async (ctx: TestContext, id: string, apiKey = ctx.apiKey) =>
  (await ctx.app.inject({ url: `/tryon/v1/generations/${id}`, headers: { 'x-api-key': apiKey } })).json();

/**
 * Moves the clock past the retry after `failedAttempt` (its longest jittered wait), and on BullMQ does what the
 * minute's sweep does.
 */
async function advancePastRetry(ctx: TestContext, clock: ManualClock, failedAttempt: number) {
  clock.advance(WEBHOOK_TIMEOUT_MS + webhookRetryDelayMs(failedAttempt, () => 1));
  if (ctx.deps.queue.outsideTransactions) await ctx.deps.webhooks.requeueDue(0);
}

/** A generation that fails: an engine that refuses every photo (an account set to it). */
const refusing: TryOnEngine = {
  name: 'refusing',
  async tryOn() {
    throw new EngineError('UNSUPPORTED_POSE', 'The person appears to be seated.');
  },
  async close() {},
};

test('the retry schedule: growing waits with jitter, about an hour from the first attempt to the last', () => {
  const total = (random: () => number) =>
    Array.from(
      { length: WEBHOOK_MAX_ATTEMPTS - 1 },
      (_, i) => WEBHOOK_TIMEOUT_MS + webhookRetryDelayMs(i + 1, random),
    ).reduce((a, b) => a + b, 0);
  assert.equal(WEBHOOK_MAX_ATTEMPTS, WEBHOOK_RETRY_DELAYS_MS.length + 1);
  assert.ok(total(() => 0) >= 55 * 60_000, `${total(() => 0)} ms at the least`);
  assert.ok(total(() => 1) <= 75 * 60_000, `${total(() => 1)} ms at the most`);
  // The jitter is random: two deliveries failing together retry at different times.
  const waits = new Set(Array.from({ length: 20 }, () => webhookRetryDelayMs(5)));
  assert.ok(waits.size > 1);
});

describe('webhooks (ALLOW_PRIVATE_FETCH on: the receiver is on 127.0.0.1)', () => {
  let ctx: TestContext;
  let clock: ManualClock;
  let secret: string;
  before(async () => {
    clock = new ManualClock(new Date());
    ctx = await createTestContext({
      clock,
      env: { ALLOW_PRIVATE_FETCH: 'true' },
      extraEngines: new Map([['refusing', refusing]]),
    });
  });
  after(() => ctx.close());

  test('a completed try-on sends generation.completed to the account endpoint: signed, verified by the SDK, data as GET answers it', async () => {
    const receiver = await startReceiver();
    try {
      const set = await ctx.deps.webhooks.setEndpoint(ctx.accountId, receiver.url);
      assert.match(set.secret!, /^whsec_/);
      secret = set.secret!;
      const res = await postTryOn(ctx, ...fixtureTryOn({ title: 'mock' }), { sync: true });
      assert.equal(res.statusCode, 200);
      const generation = res.json();
      assert.equal(generation.status, 'COMPLETED');
      await until(() => receiver.received.length === 1, 'the event');
      const { headers, body } = receiver.received[0]!;
      assert.equal(headers['content-type'], 'application/json');
      assert.match(String(headers['fitroom-signature']), /^t=\d+,v1=[0-9a-f]{64}$/);

      const event = await verifyWebhook(body, headers['fitroom-signature'], secret);
      assert.match(event.id, /^evt_/);
      assert.equal(headers['fitroom-event-id'], event.id);
      assert.equal(event.type, 'generation.completed');
      assert.equal(event.createdAt, generation.updatedAt);
      const polled = await getGeneration(ctx, generation.generationId);
      // Signed URLs may be signed again (S3 presigns to the minute): the file they point at must be the same.
      const withoutSignature = (g: { resultImageUrl?: string }) => ({
        ...g,
        resultImageUrl: g.resultImageUrl?.split('?')[0],
      });
      assert.deepEqual(withoutSignature(event.data), withoutSignature(polled));
      assert.deepEqual(Object.keys(event.data).sort(), Object.keys(polled).sort());

      // The helper refuses a wrong secret, a changed body and an old timestamp.
      await assert.rejects(verifyWebhook(body, headers['fitroom-signature'], 'whsec_wrong'), WebhookVerificationError);
      await assert.rejects(
        verifyWebhook(body.replace('COMPLETED', 'FAILED'), headers['fitroom-signature'], secret),
        WebhookVerificationError,
      );
      await assert.rejects(
        verifyWebhook(body, headers['fitroom-signature'], secret, { now: Math.floor(Date.now() / 1000) + 3600 }),
        /tolerance/,
      );

      const [delivery] = await deliveries(ctx);
      assert.equal(delivery?.status, 'delivered');
      assert.equal(delivery?.attempts, 1);
      assert.equal(delivery?.last_status_code, 200);
    } finally {
      await receiver.close();
      await ctx.deps.webhooks.setEndpoint(ctx.accountId, null);
    }
  });

  test('a failed try-on sends generation.failed with its errorCode; a request webhookUrl takes the place of the account endpoint', async () => {
    const accountEndpoint = await startReceiver();
    const ownUrl = await startReceiver();
    try {
      const other = await ctx.newAccount(5);
      await ctx.deps.accounts.update(other.id, { engine: 'refusing' });
      const { secret: otherSecret } = await ctx.deps.webhooks.setEndpoint(other.id, accountEndpoint.url);
      const [data, files] = fixtureTryOn({ title: 'Cardigan' });
      const res = await postTryOn(ctx, { ...data, webhookUrl: ownUrl.url }, files, {
        sync: true,
        apiKey: other.apiKey,
      });
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().status, 'FAILED');
      await until(() => ownUrl.received.length === 1, 'the event at the request URL');
      const event = await verifyWebhook(
        ownUrl.received[0]!.body,
        ownUrl.received[0]!.headers['fitroom-signature'],
        otherSecret!,
      );
      assert.equal(event.type, 'generation.failed');
      assert.equal(event.data.errorCode, 'UNSUPPORTED_POSE');
      assert.deepEqual(event.data, await getGeneration(ctx, res.json().generationId, other.apiKey));
      assert.equal(await credits(ctx, other.apiKey), 5, 'refunded');
      const rows = await deliveries(ctx, other.id);
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.url, ownUrl.url);
      assert.equal(accountEndpoint.received.length, 0);
    } finally {
      await accountEndpoint.close();
      await ownUrl.close();
    }
  });

  test('a receiver that fails three times and then succeeds gets exactly one successful delivery, on the backoff schedule', async () => {
    const receiver = await startReceiver((i) => (i < 3 ? 500 : 200));
    const account = await ctx.newAccount(5);
    const { secret: accountSecret } = await ctx.deps.webhooks.setEndpoint(account.id, receiver.url);
    try {
      const res = await postTryOn(ctx, ...fixtureTryOn({ title: 'mock' }), { sync: true, apiKey: account.apiKey });
      assert.equal(res.json().status, 'COMPLETED');
      for (let attempt = 1; attempt <= 3; attempt++) {
        // Logged attempts, not the row's counter: the row counts an attempt when it begins, before the answer.
        await until(async () => {
          const [d] = await ctx.deps.webhooks.list({ accountId: account.id });
          return d?.attempts.length === attempt;
        }, `failed attempt ${attempt}`);
        const [row] = await deliveries(ctx, account.id);
        assert.equal(row?.status, 'pending');
        assert.equal(row?.attempts, attempt);
        assert.equal(row?.last_status_code, 500);
        // The next attempt is due after the attempt's time limit plus the backoff (jittered), which grows.
        const waitMs = Date.parse(row!.next_attempt_at) - clock.now().getTime() - WEBHOOK_TIMEOUT_MS;
        assert.ok(waitMs >= webhookRetryDelayMs(attempt, () => 0), `wait ${waitMs} ms after attempt ${attempt}`);
        assert.ok(waitMs <= webhookRetryDelayMs(attempt, () => 1), `wait ${waitMs} ms after attempt ${attempt}`);
        assert.equal(receiver.received.length, attempt);
        await advancePastRetry(ctx, clock, attempt);
      }
      await until(async () => (await deliveries(ctx, account.id))[0]?.status === 'delivered', 'the delivery');
      // Even at their most jittered, earlier waits stay shorter than the next one's least.
      for (let failed = 1; failed < WEBHOOK_MAX_ATTEMPTS - 1; failed++) {
        assert.ok(webhookRetryDelayMs(failed, () => 1) < webhookRetryDelayMs(failed + 1, () => 0), `after ${failed}`);
      }

      // Much later: nothing more is sent (the jobs the attempts left behind find the delivery done).
      clock.advance(2 * 3600_000);
      if (ctx.deps.queue.outsideTransactions) assert.equal(await ctx.deps.webhooks.requeueDue(0), 0);
      else {
        await until(async () => {
          const due = await ctx.deps.db
            .selectFrom('jobs')
            .select('id')
            .where('kind', '=', WEBHOOK_JOB)
            .where('status', 'in', ['queued', 'running'])
            .where('run_at', '<=', clock.now().toISOString())
            .execute();
          return due.length === 0;
        }, 'the leftover webhook jobs to run');
      }
      const [delivery] = await deliveries(ctx, account.id);
      assert.equal(delivery?.status, 'delivered');
      assert.equal(delivery?.attempts, 4);
      const log = await ctx.deps.webhooks.list({ accountId: account.id });
      assert.deepEqual(
        log[0]!.attempts.map((a) => a.statusCode),
        [500, 500, 500, 200],
      );
      assert.equal(receiver.received.length, 4);
      const ids = new Set<string>();
      for (const r of receiver.received)
        ids.add((await verifyWebhook(r.body, r.headers['fitroom-signature'], accountSecret!)).id);
      assert.equal(ids.size, 1, 'every attempt carries the same event id');
    } finally {
      await receiver.close();
    }
  });

  test('bad webhookUrl values answer VALIDATION_FAILED in the envelope and charge nothing, store nothing', async () => {
    const account = await ctx.newAccount(3);
    const blobsBefore = (await ctx.blobKeys()).length;
    const [data, files] = fixtureTryOn({ title: 'mock' });
    const noSecret = await postTryOn(ctx, { ...data, webhookUrl: 'https://example.com/hook' }, files, {
      apiKey: account.apiKey,
    });
    assert.equal(noSecret.statusCode, 400);
    assert.equal(noSecret.json().code, 'VALIDATION_FAILED');
    assert.match(noSecret.json().message, /signing secret/);
    await ctx.deps.webhooks.setEndpoint(account.id, 'https://example.com/account-hook');
    for (const webhookUrl of [
      'not a url',
      'ftp://example.com/hook',
      'http://user:secret@example.com/hook',
      `https://example.com/${'a'.repeat(2050)}`,
      '',
      42,
    ]) {
      const res = await postTryOn(ctx, { ...data, webhookUrl }, files, { apiKey: account.apiKey });
      assert.equal(res.statusCode, 400, String(webhookUrl));
      assert.deepEqual(
        { code: res.json().code, status: res.json().status },
        { code: 'VALIDATION_FAILED', status: 400 },
      );
      assert.equal(typeof res.json().message, 'string');
    }
    assert.equal(await credits(ctx, account.apiKey), 3);
    const rows = await ctx.deps.db
      .selectFrom('generations')
      .select('id')
      .where('account_id', '=', account.id)
      .execute();
    assert.equal(rows.length, 0);
    assert.equal((await ctx.blobKeys()).length, blobsBefore);
  });

  test('a client that sends no webhookUrl sees the same answers, whether or not its account has an endpoint', async () => {
    const plain = await ctx.newAccount(5);
    const hooked = await ctx.newAccount(5);
    const receiver = await startReceiver();
    try {
      await ctx.deps.webhooks.setEndpoint(hooked.id, receiver.url);
      const shape = async (apiKey: string) => {
        const accepted = await postTryOn(ctx, ...fixtureTryOn({ title: 'mock' }), { apiKey });
        const sync = await postTryOn(ctx, ...fixtureTryOn({ title: 'mock' }), { apiKey, sync: true });
        const polled = await ctx.app.inject({
          url: `/tryon/v1/generations/${sync.json().generationId}`,
          headers: { 'x-api-key': apiKey },
        });
        const headerNames = (h: Record<string, unknown>) =>
          Object.keys(h)
            .filter((n) => !['date', 'x-request-id', 'content-length', 'x-ratelimit-reset'].includes(n))
            .sort();
        return [accepted, sync, polled].map((r) => ({
          status: r.statusCode,
          keys: Object.keys(r.json()).sort(),
          headers: headerNames(r.headers),
        }));
      };
      assert.deepEqual(await shape(hooked.apiKey), await shape(plain.apiKey));
      assert.deepEqual((await shape(plain.apiKey))[0]!.keys, ['generationId', 'productExternalId', 'status']);
      assert.equal((await deliveries(ctx, plain.id)).length, 0, 'no endpoint, no request URL: no delivery');
    } finally {
      await receiver.close();
    }
  });
});

describe('webhooks under the SSRF rules (ALLOW_PRIVATE_FETCH off, the default)', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext();
  });
  after(() => ctx.close());

  test('a private address is refused: as a request webhookUrl (400, nothing charged), as an endpoint, and at delivery', async () => {
    const receiver = await startReceiver();
    try {
      await assert.rejects(ctx.deps.webhooks.setEndpoint(ctx.accountId, receiver.url), /private or loopback/);
      // A host name is resolved at each delivery: this one is accepted now and refused when it resolves to loopback.
      await ctx.deps.webhooks.setEndpoint(ctx.accountId, `http://localhost:${receiver.port}/hooks`);
      const before = await credits(ctx);
      const [data, files] = fixtureTryOn({ title: 'mock' });
      const refused = await postTryOn(ctx, { ...data, webhookUrl: receiver.url }, files, { sync: true });
      assert.equal(refused.statusCode, 400);
      assert.equal(refused.json().code, 'VALIDATION_FAILED');
      assert.equal(refused.json().details[0].path, 'webhookUrl');
      assert.equal(await credits(ctx), before);

      const res = await postTryOn(ctx, data, files, { sync: true });
      assert.equal(res.json().status, 'COMPLETED');
      const delivery = await until(async () => {
        const [d] = await deliveries(ctx);
        return d?.status === 'failed' ? d : null;
      }, 'the refused delivery');
      assert.equal(delivery.attempts, 1, 'a refused address is not retried');
      assert.equal(delivery.last_status_code, null);
      assert.match(delivery.last_error ?? '', /non-public/);
      assert.equal(receiver.received.length, 0);
    } finally {
      await receiver.close();
    }
  });
});

describe('webhooks across a restart, and the CLI', () => {
  const cliPath = fileURLToPath(new URL('../cli/main.ts', import.meta.url));

  test('a delivery pending when the server stops is made by the next server; the CLI lists it and redelivers it', async () => {
    const clock = new ManualClock(new Date());
    const ctx = await createTestContext({ clock, env: { ALLOW_PRIVATE_FETCH: 'true' } });
    const cli = async (...args: string[]) => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--conditions=development', '--import', 'tsx', cliPath, ...args],
        { env: { ...process.env, ...ctx.dataEnv, ALLOW_PRIVATE_FETCH: 'true', LOG_LEVEL: 'silent' }, encoding: 'utf8' },
      );
      return JSON.parse(stdout.trim().split('\n').pop()!);
    };
    let restarted: Awaited<ReturnType<typeof createServer>> | null = null;
    let receiver: Awaited<ReturnType<typeof startReceiver>> | null = null;
    try {
      // The endpoint is set with the CLI; nothing listens on its port yet.
      const port = await freePort();
      const set = await cli(
        'accounts',
        'set',
        '--account',
        ctx.accountId,
        '--webhook-url',
        `http://127.0.0.1:${port}/h`,
      );
      assert.equal(set.webhookUrl, `http://127.0.0.1:${port}/h`);
      assert.match(set.webhookSecret, /^whsec_/);
      const again = await cli(
        'accounts',
        'set',
        '--account',
        ctx.accountId,
        '--webhook-url',
        `http://127.0.0.1:${port}/h`,
      );
      assert.equal(again.webhookSecret, undefined, 'the secret is shown once');

      const res = await postTryOn(ctx, ...fixtureTryOn({ title: 'mock' }), { sync: true });
      assert.equal(res.json().status, 'COMPLETED');
      await until(
        async () => (await deliveries(ctx))[0]?.attempts === 1 && (await deliveries(ctx))[0]?.last_error,
        'attempt 1',
      );
      await ctx.server.close();

      receiver = await startReceiver(() => 204, port);
      restarted = await createServer(ctx.config, { clock, logger: false, vision: false });
      clock.advance(WEBHOOK_TIMEOUT_MS + webhookRetryDelayMs(1, () => 1));
      if (restarted.deps.queue.outsideTransactions) await restarted.deps.webhooks.requeueDue(0);
      await until(() => receiver!.received.length === 1, 'the delivery by the restarted server');
      const first = await verifyWebhook(
        receiver.received[0]!.body,
        receiver.received[0]!.headers['fitroom-signature'],
        set.webhookSecret,
      );
      assert.equal(first.data.generationId, res.json().generationId);

      const log = await cli('webhooks', 'list', '--account', ctx.accountId);
      assert.equal(log.length, 1);
      assert.equal(log[0].eventId, first.id);
      assert.equal(log[0].status, 'delivered');
      assert.deepEqual(
        log[0].attempts.map((a: { attempt: number; statusCode: number | null }) => [a.attempt, a.statusCode]),
        [
          [1, null],
          [2, 204],
        ],
      );

      const redelivered = await cli('webhooks', 'redeliver', '--event', first.id);
      assert.equal(redelivered.eventId, first.id);
      // The CLI dated the new delivery by the real time, which the server's hand-moved clock has to reach.
      clock.advance(3600_000);
      if (restarted.deps.queue.outsideTransactions) await restarted.deps.webhooks.requeueDue(0);
      await until(() => receiver!.received.length === 2, 'the redelivery');
      const second = await verifyWebhook(
        receiver.received[1]!.body,
        receiver.received[1]!.headers['fitroom-signature'],
        set.webhookSecret,
      );
      assert.equal(second.id, first.id, 'a redelivery carries the same event id');

      const rotated = await cli('webhooks', 'rotate-secret', '--account', ctx.accountId);
      assert.match(rotated.webhookSecret, /^whsec_/);
      assert.notEqual(rotated.webhookSecret, set.webhookSecret);
      const listed = await cli('accounts', 'list');
      const mine = listed.find((a: { id: string }) => a.id === ctx.accountId);
      assert.equal(mine.webhookUrl, `http://127.0.0.1:${port}/h`);
      assert.equal(JSON.stringify(listed).includes('whsec_'), false, 'secrets are never listed');
      const cleared = await cli('accounts', 'set', '--account', ctx.accountId, '--webhook-url', '');
      assert.equal(cleared.webhookUrl, null);
    } finally {
      await restarted?.close();
      await receiver?.close();
      await ctx.close();
    }
  });
});

describe('webhooks through the admin API', () => {
  let ctx: TestContext;
  let admin: AdminClient;
  before(async () => {
    ctx = await createTestContext({ env: { ALLOW_PRIVATE_FETCH: 'true' } });
    admin = adminClient(ctx);
  });
  after(() => ctx.close());

  test('set the endpoint (secret once), read the log page by page, redeliver, rotate the secret', async () => {
    const receiver = await startReceiver();
    try {
      const base = `/admin/v1/accounts/${ctx.accountId}`;
      assert.deepEqual(await admin.json('GET', `${base}/webhook`), { webhookUrl: null, hasSecret: false });
      const bad = await admin.call('PUT', `${base}/webhook`, { url: 'ftp://example.com/x' });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().code, 'VALIDATION_FAILED');
      assert.equal(bad.json().details[0].path, 'url');
      assert.equal(
        (await admin.call('PUT', '/admin/v1/accounts/acc_nope/webhook', { url: receiver.url })).statusCode,
        404,
      );

      const set = await admin.json<{ webhookUrl: string; webhookSecret?: string }>('PUT', `${base}/webhook`, {
        url: receiver.url,
      });
      assert.equal(set.webhookUrl, receiver.url);
      assert.match(set.webhookSecret!, /^whsec_/);
      const again = await admin.json('PUT', `${base}/webhook`, { url: receiver.url });
      assert.deepEqual(again, { webhookUrl: receiver.url }, 'the secret is shown once');
      const endpoint = await admin.call('GET', `${base}/webhook`);
      assert.deepEqual(endpoint.json(), { webhookUrl: receiver.url, hasSecret: true });
      assert.equal(endpoint.body.includes('whsec_'), false);

      const ids: string[] = [];
      for (let i = 0; i < 2; i++) {
        const res = await postTryOn(ctx, ...fixtureTryOn({ title: 'mock' }), { sync: true });
        ids.push(res.json().generationId);
      }
      await until(() => receiver.received.length === 2, 'two events');
      type Page = {
        data: Array<{ eventId: string; generationId: string; status: string; attempts: unknown[] }>;
        nextCursor: string | null;
      };
      const first = await admin.json<Page>('GET', `${base}/webhooks?limit=1`);
      assert.equal(first.data.length, 1);
      assert.equal(first.data[0]!.generationId, ids[1], 'newest first');
      assert.ok(first.nextCursor);
      const second = await admin.json<Page>('GET', `${base}/webhooks?limit=1&cursor=${first.nextCursor}`);
      assert.equal(second.data[0]!.generationId, ids[0]);
      assert.equal(second.nextCursor, null);
      assert.equal(second.data[0]!.status, 'delivered');
      assert.deepEqual(second.data[0]!.attempts.length, 1);

      const eventId = second.data[0]!.eventId;
      const redelivered = await admin.call('POST', `${base}/webhooks/${eventId}/redeliver`);
      assert.equal(redelivered.statusCode, 201);
      assert.equal(redelivered.json().eventId, eventId);
      // Another account's route cannot see (or probe) the event.
      const other = await ctx.newAccount(1);
      const foreign = await admin.call('POST', `/admin/v1/accounts/${other.id}/webhooks/${eventId}/redeliver`);
      assert.equal(foreign.statusCode, 400);
      assert.equal(foreign.json().details[0].path, 'eventId');
      await until(() => receiver.received.length === 3, 'the redelivery');
      const resent = await verifyWebhook(
        receiver.received[2]!.body,
        receiver.received[2]!.headers['fitroom-signature'],
        set.webhookSecret!,
      );
      assert.equal(resent.id, eventId);

      const rotated = await admin.json<{ webhookSecret: string }>('POST', `${base}/webhook/rotate-secret`);
      assert.match(rotated.webhookSecret, /^whsec_/);
      assert.notEqual(rotated.webhookSecret, set.webhookSecret);
      await postTryOn(ctx, ...fixtureTryOn({ title: 'mock' }), { sync: true });
      await until(() => receiver.received.length === 4, 'an event after rotation');
      const latest = receiver.received[3]!;
      await verifyWebhook(latest.body, latest.headers['fitroom-signature'], rotated.webhookSecret);
      await assert.rejects(
        verifyWebhook(latest.body, latest.headers['fitroom-signature'], set.webhookSecret!),
        WebhookVerificationError,
      );

      assert.deepEqual(await admin.json('PUT', `${base}/webhook`, { url: null }), { webhookUrl: null });
    } finally {
      await receiver.close();
    }
  });
});

describe('the delivery log: one redelivery at a time, pruned after it ends', () => {
  let ctx: TestContext;
  const clock = new ManualClock(new Date());
  before(async () => {
    // No workers: the test makes each attempt itself, so a delivery stays pending as long as it needs.
    ctx = await createTestContext({ clock, workers: false, env: { METRICS_TOKEN: 'webhook-metrics-token' } });
  });
  after(() => ctx.close());

  test('redelivery is refused while a delivery of the event is pending; ended deliveries go after 30 days', async () => {
    const worker = new WebhookWorker({ ...ctx.deps, logger: { info() {}, warn() {}, error() {} } });
    // A host name resolving to loopback: accepted when set, refused (for good, no retries) when delivered.
    await ctx.deps.webhooks.setEndpoint(ctx.accountId, 'http://localhost:9/hooks');
    const accepted = await postTryOn(ctx, ...fixtureTryOn({ title: 'mock' }));
    const generationId = accepted.json().generationId;
    assert.equal(await ctx.deps.generations.fail(generationId, 'ENGINE_FAILED', 'test'), true);
    const [first] = await deliveries(ctx);
    assert.equal(first?.status, 'pending');
    await assert.rejects(ctx.deps.webhooks.redeliver(first!.event_id), /still being delivered/);
    await worker.deliver(first!.id);
    assert.equal((await deliveries(ctx))[0]?.status, 'failed');

    const again = await ctx.deps.webhooks.redeliver(first!.event_id);
    await assert.rejects(ctx.deps.webhooks.redeliver(first!.event_id), /still being delivered/);
    await worker.deliver(again.deliveryId);
    const log = await ctx.deps.webhooks.list({ eventId: first!.event_id });
    assert.deepEqual(
      log.map((d) => [d.status, d.attempts.length]),
      [
        ['failed', 1],
        ['failed', 1],
      ],
    );

    // A pending delivery stays however old it is; ended ones go WEBHOOK_LOG_DAYS after they ended.
    const pending = await ctx.deps.webhooks.redeliver(first!.event_id);
    const scrape = await ctx.app.inject({
      url: '/metrics',
      headers: { authorization: 'Bearer webhook-metrics-token' },
    });
    assert.match(scrape.body, /^fitroom_webhook_deliveries\{status="failed"\} 2$/m);
    assert.match(scrape.body, /^fitroom_webhook_deliveries\{status="pending"\} 1$/m);
    clock.advance((WEBHOOK_LOG_DAYS - 1) * 86_400_000);
    assert.equal(await ctx.deps.webhooks.prune(), 0);
    clock.advance(2 * 86_400_000);
    assert.equal(await ctx.deps.webhooks.prune(), 2);
    const left = await deliveries(ctx);
    assert.deepEqual(
      left.map((d) => d.id),
      [pending.deliveryId],
    );
    const attempts = await ctx.deps.db.selectFrom('webhook_attempts').select('id').execute();
    assert.equal(attempts.length, 0, 'the attempts went with their deliveries');
  });
});
