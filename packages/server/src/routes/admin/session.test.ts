/**
 * The admin API's authentication: the admin token (made at the first start, or ADMIN_TOKEN), the dashboard's session
 * cookie and its CSRF token, sign-out, the per-address limit on sign-ins, what an account key gets, the headers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../ports/clock.js';
import { Secret } from '../../secret.js';
import { ADMIN_TOKEN_FILE, AdminAuth, resolveAdminToken } from '../../services/admin-auth.service.js';
import { adminClient, adminTokenOf, signIn } from '../../testing/admin-client.js';
import { createTestContext, type TestContext } from '../../testing/test-server.js';

describe('the admin token', () => {
  test('made once per DATA_DIR (fra_, 256 bits, mode 0600), then read back; ADMIN_TOKEN wins', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fitroom-admin-'));
    try {
      const first = resolveAdminToken({ dataDir, adminToken: null });
      assert.equal(first.generated, true);
      assert.match(first.token.reveal(), /^fra_[A-Za-z0-9_-]{43}$/);
      const file = join(dataDir, ADMIN_TOKEN_FILE);
      assert.equal(first.file, file);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(readFileSync(file, 'utf8').trim(), first.token.reveal());
      const again = resolveAdminToken({ dataDir, adminToken: null });
      assert.deepEqual([again.generated, again.token.reveal()], [false, first.token.reveal()]);
      const configured = resolveAdminToken({ dataDir, adminToken: new Secret('c'.repeat(40)) });
      assert.deepEqual(
        [configured.generated, configured.file, configured.token.reveal()],
        [false, null, 'c'.repeat(40)],
      );
      assert.equal(String(first.token), '[redacted]', 'never printed by accident');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('sessions: signed, expiring, bound to the token; CSRF tokens bound to the session', () => {
    const clock = new ManualClock('2026-03-01T00:00:00.000Z');
    const auth = new AdminAuth(new Secret('a'.repeat(40)), clock);
    const session = auth.newSession();
    assert.equal(session.expiresAt.toISOString(), '2026-03-01T12:00:00.000Z');
    assert.equal(auth.sessionOf(session.value)?.expiresAt.getTime(), session.expiresAt.getTime());
    const [expiry, nonce, sig] = session.value.split('.') as [string, string, string];
    assert.equal(auth.sessionOf(`${Number(expiry) + 3600}.${nonce}.${sig}`), null, 'a longer expiry is a forgery');
    // A changed signature: its first character (a base64url's last one can differ in unused bits and still decode
    // to the same bytes, and may already be the replacement).
    const flipped = `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`;
    assert.equal(auth.sessionOf(`${expiry}.${nonce}.${flipped}`), null);
    assert.equal(auth.sessionOf('garbage'), null);
    const rotated = new AdminAuth(new Secret('b'.repeat(40)), clock);
    assert.equal(rotated.sessionOf(session.value), null, 'a new admin token ends every session');
    const other = auth.newSession();
    assert.notEqual(auth.csrfTokenOf(session), auth.csrfTokenOf(other));
    assert.equal(auth.isCsrfToken(session, auth.csrfTokenOf(session)), true);
    assert.equal(auth.isCsrfToken(session, auth.csrfTokenOf(other)), false);
    clock.advance(12 * 3600 * 1000);
    assert.equal(auth.sessionOf(session.value), null, 'expired');
  });

  test('ADMIN_TOKEN is refused when short or shaped like an account key', async () => {
    const { parseConfig } = await import('../../config.js');
    assert.throws(() => parseConfig({ ADMIN_TOKEN: 'short' }), /ADMIN_TOKEN: must be at least 32 characters/);
    assert.throws(() => parseConfig({ ADMIN_TOKEN: `gk_${'x'.repeat(40)}` }), /ADMIN_TOKEN: must not start with gk_/);
    assert.throws(() => parseConfig({ ADMIN_TOKEN: `${'x'.repeat(20)} ${'x'.repeat(20)}` }), /ADMIN_TOKEN/);
  });
});

describe('signing in and out', () => {
  let ctx: TestContext;
  const clock = new ManualClock(new Date());
  before(async () => {
    ctx = await createTestContext({ workers: false, clock });
  });
  after(() => ctx.close());

  test('the right token gets an HttpOnly, SameSite=Strict session cookie; a wrong one 401', async () => {
    const token = adminTokenOf(ctx);
    const wrong = await ctx.app.inject({ method: 'POST', url: '/dashboard/session', payload: { token: 'fra_nope' } });
    assert.equal(wrong.statusCode, 401);
    assert.deepEqual(wrong.json(), { code: 'ADMIN_AUTH_REQUIRED', message: 'Wrong admin token.', status: 401 });
    assert.equal(wrong.headers['set-cookie'], undefined);

    const session = await signIn(ctx, token);
    assert.match(session.setCookie, /^fitroom_admin=[^;]+; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/);
    const info = await ctx.app.inject({ url: '/admin/v1/session', headers: { cookie: session.cookie } });
    assert.equal(info.statusCode, 200);
    assert.match(info.json().csrfToken, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(new Date(info.json().expiresAt).getTime() - clock.now().getTime() <= 43_200_000, true);

    const accounts = await ctx.app.inject({ url: '/admin/v1/accounts', headers: { cookie: session.cookie } });
    assert.equal(accounts.statusCode, 200, 'a read needs no CSRF token');
  });

  test('cookie-authenticated changes need the CSRF token; bearer ones do not', async () => {
    const session = await signIn(ctx, adminTokenOf(ctx));
    const create = (headers: Record<string, string>) =>
      ctx.app.inject({ method: 'POST', url: '/admin/v1/accounts', headers, payload: { name: 'csrf' } });
    const none = await create({ cookie: session.cookie });
    assert.equal(none.statusCode, 403);
    assert.equal(none.json().code, 'CSRF_TOKEN_INVALID');
    const other = await signIn(ctx, adminTokenOf(ctx));
    const wrong = await create({ cookie: session.cookie, 'x-csrf-token': other.csrfToken });
    assert.equal(wrong.statusCode, 403, "another session's CSRF token");
    const before = (await adminClient(ctx).json<{ data: unknown[] }>('GET', '/admin/v1/accounts?search=csrf')).data;
    assert.equal(before.length, 0, 'the refused requests created nothing');
    const right = await create({ cookie: session.cookie, 'x-csrf-token': session.csrfToken });
    assert.equal(right.statusCode, 201);
    const bearer = await adminClient(ctx).call('POST', '/admin/v1/accounts', { name: 'csrf-bearer' });
    assert.equal(bearer.statusCode, 201);
    const byToken = await adminClient(ctx).json('GET', '/admin/v1/session');
    assert.deepEqual(byToken, { csrfToken: null, expiresAt: null });
  });

  test('sign-out clears the cookie; a forged or expired cookie is refused', async () => {
    const session = await signIn(ctx, adminTokenOf(ctx));
    const out = await ctx.app.inject({
      method: 'DELETE',
      url: '/dashboard/session',
      headers: { cookie: session.cookie },
    });
    assert.equal(out.statusCode, 204);
    assert.match(String(out.headers['set-cookie']), /^fitroom_admin=; Max-Age=0; Path=\/; HttpOnly; SameSite=Strict$/);

    const forged = await ctx.app.inject({
      url: '/admin/v1/accounts',
      headers: { cookie: `${session.cookie.slice(0, -2)}AA` },
    });
    assert.equal(forged.statusCode, 401);
    assert.equal(forged.json().code, 'ADMIN_AUTH_REQUIRED');
    clock.advance(12 * 3600 * 1000 + 1000);
    const expired = await ctx.app.inject({ url: '/admin/v1/accounts', headers: { cookie: session.cookie } });
    assert.equal(expired.statusCode, 401);
    assert.equal(expired.json().message, 'The dashboard session has ended: sign in again.');
  });

  test('an account key gets 401 on /admin/v1, and the admin token is no account key', async () => {
    for (const headers of [
      { 'x-api-key': ctx.apiKey },
      { authorization: `Bearer ${ctx.apiKey}` },
      {},
      { authorization: 'Basic abc' },
    ]) {
      const res = await ctx.app.inject({ url: '/admin/v1/accounts', headers });
      assert.equal(res.statusCode, 401, JSON.stringify(headers));
      assert.equal(res.json().code, 'ADMIN_AUTH_REQUIRED');
    }
    const asAccountKey = await ctx.app.inject({
      url: '/tryon/v1/account/credits',
      headers: { 'x-api-key': adminTokenOf(ctx) },
    });
    assert.equal(asAccountKey.statusCode, 401);
    assert.equal(asAccountKey.json().code, 'INVALID_API_KEY');
  });

  test('admin answers are not cached, sniffed or framed, errors and unknown paths included', async () => {
    const admin = adminClient(ctx);
    for (const res of [
      await admin.call('GET', '/admin/v1/accounts'),
      await ctx.app.inject({ url: '/admin/v1/accounts' }),
      await ctx.app.inject({ method: 'POST', url: '/dashboard/session', payload: {} }),
    ]) {
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['x-frame-options'], 'DENY');
      assert.equal(res.headers['content-security-policy'], "frame-ancestors 'none'");
    }
    const strangers = await ctx.app.inject({ url: '/admin/v1/nothing-here' });
    assert.equal(strangers.statusCode, 401, 'unknown admin paths reveal nothing without authentication');
    const unknown = await admin.call('GET', '/admin/v1/nothing-here');
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().code, 'NOT_FOUND');
    assert.equal(unknown.headers['cache-control'], 'no-store');
  });

  test('sign-in: bad bodies are 400 in the envelope', async () => {
    for (const payload of [{}, { token: 5 }, { token: '' }]) {
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/dashboard/session',
        payload,
        remoteAddress: '10.0.0.9',
      });
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.equal(res.json().code, 'VALIDATION_FAILED');
    }
  });

  test('ten sign-in attempts a minute per address: then 429, even with the right token', async () => {
    const attempt = (token: string, remoteAddress: string) =>
      ctx.app.inject({ method: 'POST', url: '/dashboard/session', payload: { token }, remoteAddress });
    // A fresh window: the attempts above are in earlier minutes of the manual clock.
    clock.advance(60_000);
    for (let i = 0; i < 10; i++) assert.equal((await attempt(`fra_guess${i}`, '10.0.0.1')).statusCode, 401);
    const limited = await attempt(adminTokenOf(ctx), '10.0.0.1');
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().code, 'RATE_LIMITED');
    assert.ok(Number(limited.headers['retry-after']) > 0);
    assert.equal((await attempt(adminTokenOf(ctx), '10.0.0.2')).statusCode, 204, 'other addresses are not affected');
    const bearer = await ctx.app.inject({
      url: '/admin/v1/accounts',
      headers: { authorization: 'Bearer fra_guess' },
      remoteAddress: '10.0.0.1',
    });
    assert.equal(bearer.statusCode, 429, 'wrong bearer tokens count too');
    clock.advance(60_000);
    assert.equal((await attempt(adminTokenOf(ctx), '10.0.0.1')).statusCode, 204, 'the next minute');
  });
});

describe('over https', () => {
  test('the cookie is Secure when the request came over https (through a trusted proxy)', async () => {
    const ctx = await createTestContext({ workers: false, env: { TRUST_PROXY: 'true', ADMIN_TOKEN: 't'.repeat(32) } });
    try {
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/dashboard/session',
        headers: { 'x-forwarded-proto': 'https' },
        payload: { token: 't'.repeat(32) },
      });
      assert.equal(res.statusCode, 204);
      assert.match(String(res.headers['set-cookie']), /; Secure(;|$)/);
    } finally {
      await ctx.close();
    }
  });
});
