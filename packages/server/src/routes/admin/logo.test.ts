/**
 * The admin API's watermark logo: uploaded as a multipart file and checked as the CLI's `accounts set-logo` checks
 * it, served back for the dashboard's preview, replaced and removed with its file.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { type AdminClient, adminClient, signIn } from '../../testing/admin-client.js';
import { createTestContext, multipart, type TestContext } from '../../testing/test-server.js';

const png = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 4, background: { r: 0, g: 90, b: 200, alpha: 0.5 } } })
    .png()
    .toBuffer();

describe('admin API: the watermark logo', () => {
  let ctx: TestContext;
  let admin: AdminClient;
  before(async () => {
    ctx = await createTestContext({ workers: false });
    admin = adminClient(ctx);
  });
  after(() => ctx.close());

  const put = (accountId: string, data: Uint8Array, field = 'file') => {
    const form = multipart([{ name: field, filename: 'logo.png', contentType: 'image/png', data }]);
    return admin.call('PUT', `/admin/v1/accounts/${accountId}/logo`, form.payload, form.headers);
  };
  const logoKeys = async (accountId: string) =>
    (await ctx.blobKeys()).filter((k) => k.startsWith(`${accountId}/logo/`));

  test('set, read back, replace and remove a logo; the old files go', async () => {
    const { id } = await admin.json<{ id: string }>('POST', '/admin/v1/accounts', { name: 'logo' });
    const res = await put(id, await png(2000, 500));
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().hasLogo, true);
    assert.equal(res.json().id, id);

    const served = await admin.call('GET', `/admin/v1/accounts/${id}/logo`);
    assert.equal(served.statusCode, 200);
    assert.equal(served.headers['content-type'], 'image/png');
    assert.equal(served.headers['x-content-type-options'], 'nosniff');
    const meta = await sharp(served.rawPayload).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height, meta.hasAlpha], ['png', 1024, 256, true]);
    const first = await logoKeys(id);
    assert.equal(first.length, 1);

    assert.equal((await put(id, await png(100, 100))).statusCode, 200);
    const second = await logoKeys(id);
    assert.equal(second.length, 1);
    assert.notEqual(second[0], first[0], 'the replaced file is deleted');
    const meta2 = await sharp((await admin.call('GET', `/admin/v1/accounts/${id}/logo`)).rawPayload).metadata();
    assert.deepEqual([meta2.width, meta2.height], [100, 100]);

    const removed = await admin.call('DELETE', `/admin/v1/accounts/${id}/logo`);
    assert.equal(removed.statusCode, 200);
    assert.equal(removed.json().hasLogo, false);
    assert.deepEqual(await logoKeys(id), [], 'its file is deleted too');
    const none = await admin.call('GET', `/admin/v1/accounts/${id}/logo`);
    assert.equal(none.statusCode, 404);
    assert.equal(none.json().code, 'NOT_FOUND');
    const again = await admin.call('DELETE', `/admin/v1/accounts/${id}/logo`);
    assert.equal(again.statusCode, 200, 'removing an absent logo changes nothing');
  });

  test('not an image, a truncated one, too large, or no file: refused, and the current logo stays', async () => {
    const { id } = await admin.json<{ id: string }>('POST', '/admin/v1/accounts', { name: 'logo-refused' });
    assert.equal((await put(id, await png(64, 64))).statusCode, 200);
    const before = await logoKeys(id);
    const jpeg = await sharp({ create: { width: 400, height: 400, channels: 3, background: '#a33' } })
      .jpeg()
      .toBuffer();
    const cases: Array<[string, Promise<Awaited<ReturnType<typeof put>>>, number, string]> = [
      ['text', put(id, Buffer.from('this is not an image, only some text')), 400, 'INVALID_IMAGE'],
      ['truncated', put(id, jpeg.subarray(0, Math.floor(jpeg.length / 2))), 400, 'INVALID_IMAGE'],
      ['too large', put(id, Buffer.alloc(10 * 1024 * 1024 + 1, 7)), 413, 'FILE_TOO_LARGE'],
      ['other field', put(id, await png(8, 8), 'image'), 400, 'FILE_REQUIRED'],
      [
        'json',
        admin.call('PUT', `/admin/v1/accounts/${id}/logo`, { file: 'aGVsbG8=' }) as ReturnType<typeof put>,
        400,
        'FILE_REQUIRED',
      ],
    ];
    for (const [label, pending, status, code] of cases) {
      const res = await pending;
      assert.equal(res.statusCode, status, `${label}: ${res.body}`);
      assert.equal(res.json().code, code, label);
    }
    assert.deepEqual(await logoKeys(id), before);
    assert.equal((await admin.call('GET', `/admin/v1/accounts/${id}/logo`)).statusCode, 200);
  });

  test('an unknown account is 404 on every logo route; the dashboard session needs its CSRF token', async () => {
    for (const res of [
      await put('acc_nope', await png(8, 8)),
      await admin.call('GET', '/admin/v1/accounts/acc_nope/logo'),
      await admin.call('DELETE', '/admin/v1/accounts/acc_nope/logo'),
    ]) {
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().code, 'ACCOUNT_NOT_FOUND');
    }
    const session = await signIn(ctx, admin.token);
    const form = multipart([{ name: 'file', filename: 'l.png', contentType: 'image/png', data: await png(8, 8) }]);
    const url = `/admin/v1/accounts/${ctx.accountId}/logo`;
    const refused = await ctx.app.inject({
      method: 'PUT',
      url,
      headers: { cookie: session.cookie, ...form.headers },
      payload: form.payload,
    });
    assert.equal(refused.statusCode, 403);
    const done = await ctx.app.inject({
      method: 'PUT',
      url,
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrfToken, ...form.headers },
      payload: form.payload,
    });
    assert.equal(done.statusCode, 200);
    const preview = await ctx.app.inject({ url, headers: { cookie: session.cookie } });
    assert.equal(preview.statusCode, 200, 'the <img> of the dashboard sends only the cookie');
  });
});
