// The dashboard in a real browser (Debian's Chromium through playwright-core) against a real fitroom server
// (packages/server's startTestServer: its own data directory and database, real HTTP on 127.0.0.1, the mock engine).
// One signed-in page walks through what an operator does: accounts, keys, credits, the logo, the playground, the
// gallery; then the authentication boundaries between the admin token and account keys. Every wait is on a condition
// (an element, a function of the page), never a fixed sleep.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { browserTestsSkipped, type LaunchedChromium, launchChromium } from './browser.js';
import { ensureDashboardBuilt, loadServerTesting, redPng, TEST_PHOTOS, type TestServer } from './server.js';

const ADMIN_TOKEN = `fra_browser_test_${'t'.repeat(32)}`;
const skip = browserTestsSkipped();

// Bounded: a wait that never ends fails the suite instead of hanging the run.
describe('the dashboard in Chromium', { skip, timeout: 300_000 }, () => {
  let server: TestServer;
  let chromium: LaunchedChromium;
  let context: BrowserContext;
  let page: Page;
  let origin: string;
  /** Errors the page threw and Content-Security-Policy refusals, which must not happen. */
  const pageProblems: string[] = [];
  /** Shared by the steps below, in order. */
  const state = { accountId: '', apiKey: '', generationId: '', productExternalId: '' };

  before(async () => {
    ensureDashboardBuilt();
    const { startTestServer } = await loadServerTesting();
    // Private addresses allowed: the webhook receiver of a test listens on 127.0.0.1.
    server = await startTestServer({ credits: 10, env: { ADMIN_TOKEN, ALLOW_PRIVATE_FETCH: 'true' } });
    origin = new URL(server.baseUrl).origin;
    chromium = await launchChromium({ width: 1280, height: 900 });
    context = chromium.context;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (err) => pageProblems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (/Content.Security.Policy/i.test(msg.text())) pageProblems.push(`CSP: ${msg.text()}`);
    });
  });
  after(async () => {
    await chromium?.close();
    await server?.close();
  });

  /** A locator's text (playwright's textContent, trimmed). */
  const text = async (locator: Locator) => ((await locator.textContent()) ?? '').trim();
  const nav = (name: string) => page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name });
  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });

  test('a wrong token does not sign in', async () => {
    await page.goto(`${origin}/dashboard/`);
    await page.getByLabel('Admin token').fill(`fra_wrong_${'w'.repeat(32)}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await text(page.getByRole('alert')), /ADMIN_AUTH_REQUIRED|token/i);
    assert.equal(await page.getByRole('navigation', { name: 'Sections' }).count(), 0);
    assert.deepEqual(await context.cookies(), []);
  });

  test('signs in with the admin token (keyboard only) into an HttpOnly, SameSite=Strict session', async () => {
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByLabel('Admin token').press('Enter');
    await heading('Accounts').waitFor();
    const cookies = await context.cookies();
    assert.equal(cookies.length, 1);
    assert.equal(cookies[0]?.httpOnly, true);
    assert.equal(cookies[0]?.sameSite, 'Strict');
    assert.ok(!cookies[0]?.value.includes(ADMIN_TOKEN), 'the cookie is not the token');
    assert.equal(await page.evaluate(() => document.cookie), '', 'scripts cannot read the session');
  });

  test('creates an account', async () => {
    await page.getByRole('button', { name: 'New account' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Browser Boutique');
    await page.getByRole('spinbutton', { name: 'Credits' }).fill('5');
    await page.getByRole('button', { name: 'Create account' }).click();
    await heading('Browser Boutique').waitFor();
    state.accountId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
    assert.match(state.accountId, /^acc_/);
    assert.equal(await text(page.getByTestId('balance')), '5');
  });

  test('creates a key, shown once with a copy button, that works against the API', { timeout: 60_000 }, async () => {
    await page.getByRole('tab', { name: 'API keys' }).click();
    await page.getByLabel('Label').fill('shop backend');
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByLabel('The new API key');
    await shown.waitFor();
    state.apiKey = await shown.inputValue();
    assert.match(state.apiKey, /^gk_/);
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), state.apiKey, 'the copy button copied it');

    const res = await fetch(`${server.baseUrl}/account/credits`, { headers: { 'x-api-key': state.apiKey } });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { creditBalance: 5 });

    // Shown once: after a reload the list has the key's prefix only, and it was used just now. The server writes the
    // last use after answering, so the list is reloaded until it shows it (or the test's timeout ends the wait).
    const row = page.getByRole('row').filter({ hasText: 'shop backend' });
    for (;;) {
      await page.reload();
      await row.waitFor();
      if (!/never/.test(await text(row))) break;
    }
    assert.ok((await text(row)).includes(`${state.apiKey.slice(0, 7)}…`), 'the key is listed by its prefix');
    assert.ok(!(await page.content()).includes(state.apiKey), 'the key is not shown again');
  });

  test('revokes a key (after a confirmation): it is refused at once', async () => {
    await page.getByLabel('Label').fill('old integration');
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = page.getByLabel('The new API key');
    await shown.waitFor();
    const doomed = await shown.inputValue();
    await page.getByRole('button', { name: 'Done' }).click();
    const row = page.getByRole('row').filter({ hasText: 'old integration' });
    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: `Revoke key ${doomed.slice(0, 7)}` }).click();
    await row.getByText('revoked').waitFor();
    const res = await fetch(`${server.baseUrl}/account/credits`, { headers: { 'x-api-key': doomed } });
    assert.equal(res.status, 401);
    const other = await fetch(`${server.baseUrl}/account/credits`, { headers: { 'x-api-key': state.apiKey } });
    assert.equal(other.status, 200, 'the other key still works');
  });

  test('tops up credits with a reason and shows the ledger row', async () => {
    // The tabs follow the arrow keys (one tab stop for the list, as the ARIA tabs pattern has it).
    await page.getByRole('tab', { name: 'API keys' }).focus();
    await page.keyboard.press('ArrowRight');
    await page.getByRole('tab', { name: 'Credits', selected: true }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Credits');
    await page.getByRole('spinbutton', { name: 'Credits' }).fill('7');
    await page.getByLabel('Reason').fill('invoice 42');
    await page.getByRole('button', { name: 'Add credits' }).click();
    const row = page.getByRole('row').filter({ hasText: 'invoice 42' });
    await row.waitFor();
    assert.equal(await text(row.locator('td[data-label="Change"]')), '+7');
    assert.equal(await text(row.locator('td[data-label="Balance"]')), '12');
    assert.equal(await text(page.getByTestId('balance')), '12');
  });

  test('uploads a watermark logo with a preview first', async () => {
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page
      .getByLabel('Logo file')
      .setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: await redPng() });
    const preview = page.getByAltText('Preview of the picked logo');
    await preview.waitFor();
    assert.ok(await preview.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0));
    await page.getByRole('button', { name: 'Upload logo' }).click();
    const current = page.getByAltText('Current logo of Browser Boutique');
    await current.waitFor();
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('img[alt^="Current logo"]');
      return img?.complete && img.naturalWidth > 0;
    });
  });

  test('runs the playground to a finished try-on (mock product), with the logo on the result', async () => {
    await nav('Playground').click();
    await heading('Playground').waitFor();
    await page.getByLabel('Account', { exact: true }).selectOption(state.accountId);
    await page.getByLabel('Photo of the shopper').setInputFiles(`${TEST_PHOTOS}/person/woman-1.jpg`);
    await page.getByAltText('The uploaded person photo, as cropped').waitFor();
    await page.getByLabel('Upload a garment').check();
    await page.getByLabel('Title').fill('mock');
    await page.getByLabel('Garment photo').setInputFiles(`${TEST_PHOTOS}/garment/upper-1.jpg`);
    await page.getByRole('button', { name: 'Add product' }).click();
    await page.getByLabel('Pick one').check();
    await page.getByRole('radio', { name: 'mock' }).waitFor();
    assert.ok(await page.getByRole('radio', { name: 'mock' }).isChecked());
    state.productExternalId = await page.getByRole('radio', { name: 'mock' }).inputValue();
    await page.getByRole('button', { name: 'Run try-on' }).click();
    await page.getByText('completed', { exact: true }).waitFor({ timeout: 60_000 });

    const slider = page.getByRole('slider');
    await slider.focus();
    await slider.press('ArrowLeft');
    assert.equal(await slider.inputValue(), '49');
    const result = page.getByAltText('The try-on result');
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('img[alt="The try-on result"]');
      return img?.complete && img.naturalWidth > 0;
    });
    state.generationId = (await text(page.locator('.run-status .mono'))).trim();
    assert.match(state.generationId, /^gen_/);

    // The mock engine returns the person photo; the watermark is the red logo, bottom-right.
    const url = await result.getAttribute('src');
    assert.ok(url);
    const { redShare } = await loadServerTesting();
    const image = Buffer.from(await (await fetch(url)).arrayBuffer());
    assert.ok((await redShare(image, 'bottom-right')) > 0.3, 'the logo is in the bottom-right corner');
    assert.ok((await redShare(image, 'top-left')) < 0.05, 'and not elsewhere');
  });

  test('finds that generation in the gallery, filtered by account and status, and opens it', async () => {
    await nav('Generations').click();
    await heading('Generations').waitFor();
    await page.getByLabel('Account', { exact: true }).selectOption(state.accountId);
    await page.getByLabel('Status').selectOption('COMPLETED');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const card = page.locator(`[data-generation-id="${state.generationId}"]`);
    await card.waitFor();
    assert.equal(await page.locator('[data-generation-id]').count(), 1);
    assert.match(await text(card), /completed/);
    assert.equal(await card.getByRole('img').count(), 3, 'person, product and result thumbnails');

    await page.getByLabel('Status').selectOption('FAILED');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No generations match.').waitFor();

    await page.goto(`${origin}/dashboard/generations?accountId=${state.accountId}`);
    assert.equal(await text(card.getByRole('link', { name: 'Browser Boutique' })), 'Browser Boutique');
    await card.getByRole('link', { name: 'mock' }).click();
    await heading('mock').waitFor();
    assert.match(await text(page.locator('main')), new RegExp(state.generationId));
  });

  test('sets a webhook endpoint: the secret shown once signs the deliveries, listed and sent again', async () => {
    const arrivals: Array<{ body: string; signature: string }> = [];
    const waiting: Array<() => void> = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        arrivals.push({
          body: Buffer.concat(chunks).toString('utf8'),
          signature: String(req.headers['fitroom-signature']),
        });
        res.end('ok');
        for (const wake of waiting.splice(0)) wake();
      });
    });
    /** Resolves once `count` deliveries have arrived (the test's own timeout bounds the wait). */
    const arrived = async (count: number) => {
      while (arrivals.length < count) await new Promise<void>((resolve) => waiting.push(resolve));
    };
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as AddressInfo).port;
    try {
      await page.goto(`${origin}/dashboard/accounts/${state.accountId}?tab=webhooks`);
      await page.getByLabel('Webhook URL').fill(`http://127.0.0.1:${port}/hook`);
      await page.getByRole('button', { name: 'Save endpoint' }).click();
      const secret = await page.getByLabel('The signing secret').inputValue();
      assert.match(secret, /^whsec_/);

      // A try-on of the account through the public API ends, and its event is delivered, signed with that secret.
      const api = (path: string, init: RequestInit) =>
        fetch(`${server.baseUrl}${path}`, { ...init, headers: { 'x-api-key': state.apiKey, ...init.headers } });
      const person = new FormData();
      person.append('file', new Blob([new Uint8Array(readFileSync(`${TEST_PHOTOS}/person/woman-1.jpg`))]), 'p.jpg');
      person.append('externalUserId', 'hook-shopper');
      const { imageId } = (await (await api('/images/upload', { method: 'POST', body: person })).json()) as {
        imageId: string;
      };
      const tryOn = await api('/try-on/sync', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          products: [{ externalId: state.productExternalId }],
          person: { image: { source: { id: imageId } } },
          externalUserId: 'hook-shopper',
        }),
      });
      assert.equal(tryOn.status, 200);
      await arrived(1);
      const first = arrivals[0]!;
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]+)$/.exec(first.signature) ?? [];
      assert.equal(v1, createHmac('sha256', secret).update(`${t}.${first.body}`).digest('hex'), 'signed with it');
      const event = JSON.parse(first.body) as { id: string; type: string };
      assert.equal(event.type, 'generation.completed');

      await page.getByRole('button', { name: 'Refresh' }).click();
      const row = page.getByRole('row').filter({ hasText: event.id });
      await row.waitFor();
      assert.match(await text(row), /generation\.completed/);
      await row.getByRole('button', { name: `Redeliver event ${event.id}` }).click();
      await page.getByText('queued again').waitFor();
      await arrived(2);
      assert.equal((JSON.parse(arrivals[1]!.body) as { id: string }).id, event.id, 'the same event again');
    } finally {
      receiver.close();
    }
  });

  test("usage: today's try-ons and credits of the account, in the charts and its row", async () => {
    await nav('Usage').click();
    await heading('Usage').waitFor();
    await page.getByLabel('Account', { exact: true }).selectOption(state.accountId);
    await page.getByRole('button', { name: 'Show' }).click();
    const row = page.getByRole('row').filter({ hasText: 'Browser Boutique' });
    await row.waitFor();
    // The playground's try-on and the webhook test's, both completed; 5 credits at creation and 7 topped up.
    assert.equal(await text(row.locator('td[data-label="Generations"]')), '2');
    assert.equal(await text(row.locator('td[data-label="Completed"]')), '2');
    assert.equal(await text(row.locator('td[data-label="Credits used"]')), '2');
    assert.equal(await text(row.locator('td[data-label="Credits added"]')), '12');
    const chart = page.getByRole('img', { name: /^Generations per day/ });
    assert.match((await chart.getAttribute('aria-label')) ?? '', /completed 2, failed 0/);
  });

  test('finds a product by search, with its image and lifetime, and deletes it', async () => {
    await nav('Products').click();
    await heading('Products').waitFor();
    await page.getByLabel('Account', { exact: true }).selectOption(state.accountId);
    await page.getByLabel('Search').fill(state.productExternalId);
    await page.getByRole('button', { name: 'Apply' }).click();
    const card = page.getByRole('listitem').filter({ hasText: state.productExternalId });
    await card.waitFor();
    assert.equal(await page.getByRole('listitem').count(), 1);
    assert.match(await text(card), /kept until deleted|left/);
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('.product img');
      return img?.complete && img.naturalWidth > 0;
    });
    page.once('dialog', (dialog) => void dialog.accept());
    await card.getByRole('button', { name: 'Delete mock' }).click();
    await page.getByText('No products match.').waitFor();
    const gone = await fetch(`${server.baseUrl}/products/${encodeURIComponent(state.productExternalId)}`, {
      headers: { 'x-api-key': state.apiKey },
    });
    assert.equal(gone.status, 404);
  });

  test('at phone width: the menu opens from the keyboard, and no page scrolls sideways', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(`${origin}/dashboard/accounts`);
      await heading('Accounts').waitFor();
      const menu = page.getByRole('button', { name: 'Menu' });
      assert.equal(await nav('Usage').isVisible(), false, 'the sections are folded behind the menu');
      await menu.focus();
      await page.keyboard.press('Enter');
      assert.equal(await menu.getAttribute('aria-expanded'), 'true');
      await nav('Usage').focus();
      await page.keyboard.press('Enter');
      await heading('Usage').waitFor();
      for (const path of [
        'accounts',
        `accounts/${state.accountId}?tab=credits`,
        'generations',
        'usage',
        'playground',
      ]) {
        await page.goto(`${origin}/dashboard/${path}`);
        await page.getByRole('heading', { level: 1 }).waitFor();
        await page.waitForFunction(() => document.querySelectorAll('.spinner').length === 0);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `/dashboard/${path} is ${overflow} px wider than the phone`);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  test("a page whose data cannot be had says why, with the server's code, and offers a retry", async () => {
    await page.goto(`${origin}/dashboard/accounts/acc_does_not_exist`);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await text(alert), /ACCOUNT_NOT_FOUND/);
    await alert.getByRole('button', { name: 'Retry' }).click();
    await page.getByRole('alert').filter({ hasText: 'ACCOUNT_NOT_FOUND' }).waitFor();
  });

  test('an account key gets 401 on /admin/v1; the admin token is refused as an account key', async () => {
    const asAccount: Array<Record<string, string>> = [
      { 'x-api-key': state.apiKey },
      { authorization: `Bearer ${state.apiKey}` },
    ];
    for (const headers of asAccount) {
      const res = await fetch(`${origin}/admin/v1/accounts`, { headers });
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { status: number }).status, 401);
    }
    const asKey = await fetch(`${server.baseUrl}/account/credits`, { headers: { 'x-api-key': ADMIN_TOKEN } });
    assert.equal(asKey.status, 401);
    assert.equal(((await asKey.json()) as { code: string }).code, 'INVALID_API_KEY');
  });

  test('signs out: the session is gone', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin token').waitFor();
    const status = await page.evaluate(async () => (await fetch('/admin/v1/session')).status);
    assert.equal(status, 401);
  });

  test('no script error and no Content-Security-Policy refusal on any page', () => {
    assert.deepEqual(pageProblems, []);
  });
});
