// verifyWebhook against signatures made independently here with node:crypto, as the server makes them
// (services/webhooks.service.ts signWebhook): the scheme is `t=<unix s>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { verifyWebhook, WEBHOOK_SIGNATURE_HEADER, WebhookVerificationError } from './index.js';

const secret = 'whsec_test_0123456789';
const now = 1_796_630_820;
const body = JSON.stringify({
  id: 'evt_abc',
  type: 'generation.completed',
  createdAt: '2026-12-07T07:06:43.035Z',
  data: { generationId: 'gen_x', status: 'COMPLETED', productExternalId: 'tee-1', note: 'café ✓' },
});
const mac = (key: string, t: number, payload: string | Buffer) =>
  createHmac('sha256', key)
    .update(Buffer.concat([Buffer.from(`${t}.`), Buffer.from(payload)]))
    .digest('hex');
const header = (t = now, key = secret, payload: string | Buffer = body) => `t=${t},v1=${mac(key, t, payload)}`;

describe('verifyWebhook', () => {
  test('accepts a good signature on the string body or its bytes, and returns the event', async () => {
    assert.equal(WEBHOOK_SIGNATURE_HEADER, 'fitroom-signature');
    const event = await verifyWebhook(body, header(), secret, { now });
    assert.equal(event.id, 'evt_abc');
    assert.equal(event.type, 'generation.completed');
    assert.equal(event.data.generationId, 'gen_x');
    const fromBytes = await verifyWebhook(new TextEncoder().encode(body), [header()], secret, { now: now + 299 });
    assert.deepEqual(fromBytes, event);
  });

  test('accepts any of several v1 signatures (spaces allowed), so a header may carry more than one', async () => {
    const value = `t=${now}, v1=${'0'.repeat(64)}, v1=${mac(secret, now, body)}`;
    assert.equal((await verifyWebhook(body, value, secret, { now })).id, 'evt_abc');
  });

  test('refuses a wrong secret, a changed body, a changed timestamp, and bytes changed outside valid UTF-8', async () => {
    const refused = (p: Promise<unknown>, pattern: RegExp) =>
      assert.rejects(p, (err: unknown) => err instanceof WebhookVerificationError && pattern.test(err.message));
    await refused(verifyWebhook(body, header(now, 'whsec_other'), secret, { now }), /does not match/);
    await refused(verifyWebhook(body.replace('COMPLETED', 'FAILED'), header(), secret, { now }), /does not match/);
    await refused(verifyWebhook(body, header().replace(`t=${now}`, `t=${now + 1}`), secret, { now }), /does not match/);
    // Two bodies differing only in invalid UTF-8 bytes decode to the same text (U+FFFD): the MAC is over the bytes,
    // so the one signed passes and the other does not.
    const withByte = (b: number) => {
      const [head, tail] = body.split('café');
      return Buffer.concat([Buffer.from(`${head}caf`), Buffer.from([b]), Buffer.from(tail!)]);
    };
    const sent = withByte(0xff);
    const received = withByte(0xfe);
    assert.equal(new TextDecoder().decode(sent), new TextDecoder().decode(received));
    assert.equal((await verifyWebhook(sent, header(now, secret, sent), secret, { now })).id, 'evt_abc');
    await refused(verifyWebhook(received, header(now, secret, sent), secret, { now }), /does not match/);
  });

  test('refuses a timestamp outside the tolerance (replays), unless the check is off', async () => {
    await assert.rejects(verifyWebhook(body, header(), secret, { now: now + 301 }), /tolerance of 300 s/);
    await assert.rejects(verifyWebhook(body, header(), secret, { now: now - 301 }), /tolerance/);
    await assert.rejects(verifyWebhook(body, header(), secret, { now: now + 61, toleranceSeconds: 60 }), /tolerance/);
    assert.equal(
      (await verifyWebhook(body, header(), secret, { now: now + 86_400, toleranceSeconds: 0 })).id,
      'evt_abc',
    );
  });

  test('refuses a missing or malformed header and an empty secret', async () => {
    for (const value of [undefined, null, '', [], 'v1=abc', `t=${now}`, 't=soon,v1=abc', 'garbage']) {
      await assert.rejects(
        verifyWebhook(body, value as string, secret, { now }),
        WebhookVerificationError,
        String(value),
      );
    }
    await assert.rejects(verifyWebhook(body, header(), '', { now }), /no signing secret/);
  });
});
