/**
 * Screenshots of the dashboard's main pages for the docs (docs/images/dashboard-*.png):
 * `npm run screenshots -w @fitroom/dashboard`. It starts a real server (a temporary data directory; the composite
 * engine when the vision models load, else the mock one), fills it through the admin and public APIs with a few
 * accounts, keys, top-ups, products and try-ons made from the repository's test photos (a month of them: the server's
 * clock is set back day by day while it is filled, the past try-ons on the mock engine), then signs in with Chromium
 * and photographs the pages, the playground after a try-on it runs itself. Nothing is drawn by hand: the numbers on
 * the pictures are those of the run. Takes a minute or two.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { ensureChromium, launchChromium } from './browser.js';
import { ensureDashboardBuilt, loadServerTesting, redPng, TEST_PHOTOS } from './server.js';

const OUT = fileURLToPath(new URL('../../../docs/images', import.meta.url));
const ADMIN_TOKEN = `fra_screenshots_${'s'.repeat(32)}`;
/** The composite engine makes the before/after worth looking at; FITROOM_SCREENSHOT_ENGINE=mock for a quick run. */
const ENGINE = process.env.FITROOM_SCREENSHOT_ENGINE ?? 'composite';

const missing = ensureChromium();
if (missing) throw new Error(missing);
ensureDashboardBuilt();
mkdirSync(OUT, { recursive: true });

/** The server's clock, set back while the server is filled so that the usage charts have a month to show. */
const clock = { back: 0, now: () => new Date(Date.now() - clock.back) };
const { startTestServer } = await loadServerTesting();
const server = await startTestServer({
  credits: 40,
  clock,
  vision: ENGINE === 'composite',
  // The shops' webhook receiver below listens on 127.0.0.1.
  env: { ADMIN_TOKEN, ENGINE, ALLOW_PRIVATE_FETCH: 'true' },
});
const origin = new URL(server.baseUrl).origin;

async function call<T>(method: string, path: string, init: { json?: unknown; form?: FormData; key?: string } = {}) {
  const headers: Record<string, string> = init.key
    ? { 'x-api-key': init.key }
    : { authorization: `Bearer ${ADMIN_TOKEN}` };
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${origin}${path}`, {
    method,
    headers,
    body: init.json !== undefined ? JSON.stringify(init.json) : init.form,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

const photo = (path: string) => new Blob([new Uint8Array(readFileSync(join(TEST_PHOTOS, path)))]);

async function uploadPerson(key: string, path: string, user: string): Promise<string> {
  const form = new FormData();
  form.append('file', photo(path), path.split('/').pop());
  form.append('externalUserId', user);
  return (await call<{ imageId: string }>('POST', '/tryon/v1/images/upload', { form, key })).imageId;
}

async function addProduct(key: string, externalId: string, title: string, path: string, validForDays?: number) {
  const form = new FormData();
  form.append(
    'data',
    JSON.stringify({
      externalId,
      title,
      images: [{ source: { fileKey: 'image' } }],
      ...(validForDays ? { validForDays } : {}),
    }),
  );
  form.append('image', photo(path), path.split('/').pop());
  await call('POST', '/tryon/v1/products', { form, key });
}

/** A try-on to its end; one the engine refuses is part of the picture (the gallery shows its error code). */
async function tryOn(key: string, externalId: string, imageId: string, user: string): Promise<void> {
  try {
    await call('POST', '/tryon/v1/try-on/sync', {
      key,
      json: { products: [{ externalId }], person: { image: { source: { id: imageId } } }, externalUserId: user },
    });
  } catch (err) {
    console.log(`\n# ${externalId}: ${(err as Error).message}`);
  }
}

interface Shop {
  name: string;
  credits: number;
  /** Operator top-ups (or take-backs, negative), `daysAgo` days ago. */
  topUps: Array<{ daysAgo: number; amount: number; note: string }>;
  rateLimitPerMin?: number;
  retentionDays?: number;
  logo?: boolean;
  /** How many try-ons a day, at most, in the month before today (the day's number varies). */
  perDay: number;
  products: Array<[externalId: string, title: string, photo: string, validForDays?: number]>;
  people: string[];
}

const SHOPS: Shop[] = [
  {
    name: 'Northwind Apparel',
    credits: 200,
    topUps: [{ daysAgo: 12, amount: 150, note: 'invoice 2026-118' }],
    rateLimitPerMin: 120,
    logo: true,
    perDay: 7,
    products: [
      ['nw-tee-01', 'Printed T-shirt', 'garment/upper-4.jpg'],
      ['nw-shirt-02', 'Linen shirt', 'garment/upper-1.jpg'],
      ['nw-dress-03', 'Summer dress', 'garment/dress-1.jpg', 30],
    ],
    people: ['person/woman-1.jpg', 'person/woman-2.png'],
  },
  {
    name: 'Atelier Rosa',
    credits: 60,
    topUps: [
      { daysAgo: 18, amount: 25, note: 'goodwill: slow week' },
      { daysAgo: 9, amount: -10, note: 'granted twice by mistake' },
    ],
    retentionDays: 3,
    perDay: 4,
    products: [
      ['ar-blouse', 'Silk blouse', 'garment/upper-2.jpg'],
      ['ar-dress', 'Wrap dress', 'garment/dress-2.jpg'],
    ],
    people: ['person/man-1.png', 'person/woman-1.jpg'],
  },
  {
    name: 'Kite & Kin Outdoor',
    credits: 20,
    topUps: [{ daysAgo: 6, amount: 40, note: 'invoice 2026-131' }],
    retentionDays: 1,
    perDay: 2,
    products: [
      ['kk-top', 'Trail top', 'garment/upper-3.jpg'],
      ['kk-look', 'Look of the week (on a model)', 'garment/on-model-2.jpg'],
    ],
    people: ['person/man-2.png'],
  },
];

// The test server's own account (made with it, named "test") under a name that reads as what it is here.
await call('PATCH', `/admin/v1/accounts/${server.accountId}`, { json: { name: 'Internal QA' } });

const DAY = 86_400_000;
const HISTORY_DAYS = 29;
/** A small deterministic sequence (the same pictures on every run), in [0, 1). */
let seed = 7;
const next = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};

console.log(`# filling the server (${ENGINE} engine): ${HISTORY_DAYS} days of history, then today`);
const accounts: Array<{ id: string; key: string; shop: Shop }> = [];
clock.back = HISTORY_DAYS * DAY;
for (const shop of SHOPS) {
  const account = await call<{ id: string }>('POST', '/admin/v1/accounts', {
    json: {
      name: shop.name,
      credits: shop.credits,
      ...(shop.rateLimitPerMin ? { rateLimitPerMin: shop.rateLimitPerMin } : {}),
      ...(shop.retentionDays ? { retentionDays: shop.retentionDays } : {}),
    },
  });
  const { key } = await call<{ key: string }>('POST', `/admin/v1/accounts/${account.id}/keys`, {
    json: { label: 'shop backend' },
  });
  await call('POST', `/admin/v1/accounts/${account.id}/keys`, { json: { label: 'staging' } });
  if (shop.logo) {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(await redPng(120))]), 'logo.png');
    await call('PUT', `/admin/v1/accounts/${account.id}/logo`, { form });
  }
  for (const [externalId, title, path, days] of shop.products) await addProduct(key, externalId, title, path, days);
  await addProduct(key, 'mock', 'mock', 'garment/upper-4.jpg');
  accounts.push({ id: account.id, key, shop });
}
// The month before today, with the server's clock set back day by day: try-ons on the mock engine (instant), the
// operators' top-ups on their days. Photos past their retention are gone from these, as they would be.
for (let daysAgo = HISTORY_DAYS; daysAgo >= 1; daysAgo--) {
  clock.back = daysAgo * DAY;
  for (const { id, key, shop } of accounts) {
    for (const topUp of shop.topUps.filter((t) => t.daysAgo === daysAgo))
      await call('POST', `/admin/v1/accounts/${id}/credits`, { json: { amount: topUp.amount, note: topUp.note } });
    const count = Math.floor(next() * (shop.perDay + 1));
    if (count === 0) continue;
    const user = `shopper-${daysAgo}`;
    const imageId = await uploadPerson(key, shop.people[daysAgo % shop.people.length]!, user);
    for (let i = 0; i < count; i++) await tryOn(key, 'mock', imageId, user);
  }
  process.stdout.write('.');
}
// Today: every product on every shopper, on the real engine, for the gallery; the first shop's events go to a
// receiver of this script (every third delivery answered 503 first, so that the log shows a retry).
clock.back = 0;
let hooks = 0;
const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.statusCode = ++hooks % 3 === 0 ? 503 : 204;
    res.end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
await call('PUT', `/admin/v1/accounts/${accounts[0]!.id}/webhook`, {
  json: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/fitroom` },
});
for (const { key, shop } of accounts) {
  for (const [i, person] of shop.people.entries()) {
    const user = `shopper-today-${i + 1}`;
    const imageId = await uploadPerson(key, person, user);
    for (const [externalId] of shop.products) {
      process.stdout.write('.');
      await tryOn(key, externalId, imageId, user);
    }
  }
}
console.log('');
const firstAccount = accounts[0]!.id;

const shots: string[] = [];
const chromium = await launchChromium({ width: 1280, height: 860 });
const page = chromium.context.pages()[0] ?? (await chromium.context.newPage());
page.setDefaultTimeout(60_000);
page.on('pageerror', (err) => console.error(`page error: ${err.message}`));

/**
 * Waits until no spinner is left and every image that will be in the picture has loaded, then shoots. Lazy images
 * below the fold load only when scrolled to: a full-page shot makes them eager first.
 */
async function shoot(name: string, fullPage = true, target: Page = page): Promise<void> {
  if (fullPage)
    await target.evaluate(() => {
      for (const img of Array.from(document.images)) img.loading = 'eager';
    });
  await target.waitForFunction(
    (whole) =>
      document.querySelectorAll('.spinner').length === 0 &&
      Array.from(document.images)
        .filter((img) => whole || img.getBoundingClientRect().top < window.innerHeight)
        .every((img) => img.complete && img.naturalWidth > 0),
    fullPage,
  );
  const path = join(OUT, `dashboard-${name}.png`);
  await target.screenshot({ path, fullPage });
  shots.push(path);
}

try {
  await page.goto(`${origin}/dashboard/`);
  await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
  await page.getByRole('link', { name: 'Northwind Apparel' }).waitFor();
  await shoot('accounts');

  await page.goto(`${origin}/dashboard/accounts/${firstAccount}?tab=settings`);
  await page.getByAltText('Current logo of Northwind Apparel').waitFor();
  await shoot('account-settings');

  // The credits tab after a top-up made here, through the form.
  await page.getByRole('tab', { name: 'Credits' }).click();
  await page.getByRole('spinbutton', { name: 'Credits' }).fill('100');
  await page.getByLabel('Reason').fill('invoice 2026-140');
  await page.getByRole('button', { name: 'Add credits' }).click();
  await page.getByRole('row').filter({ hasText: 'invoice 2026-140' }).waitFor();
  await shoot('account', false);

  await page.getByRole('tab', { name: 'Webhooks' }).click();
  await page.getByRole('row').filter({ hasText: 'generation.completed' }).first().waitFor();
  await shoot('webhooks', false);

  await page.goto(`${origin}/dashboard/products?accountId=${firstAccount}`);
  await page.getByRole('heading', { name: 'Printed T-shirt' }).waitFor();
  await shoot('products', false);

  await page.goto(`${origin}/dashboard/generations`);
  await page.locator('[data-generation-id]').first().waitFor();
  await shoot('generations', false);

  await page.locator('[data-generation-id]').first().getByRole('link').first().click();
  await page.getByRole('heading', { level: 1 }).filter({ hasNotText: 'Generations' }).waitFor();
  await shoot('generation');

  await page.goto(`${origin}/dashboard/usage`);
  await page.locator('figure.chart').first().waitFor();
  await shoot('usage');

  await page.goto(`${origin}/dashboard/playground?accountId=${firstAccount}`);
  await page.getByLabel('Photo of the shopper').setInputFiles(join(TEST_PHOTOS, 'person/woman-2.png'));
  await page.getByAltText('The uploaded person photo, as cropped').waitFor();
  await page.getByRole('radio', { name: ENGINE === 'composite' ? 'Printed T-shirt' : 'mock' }).check();
  await page.getByRole('button', { name: 'Run try-on' }).click();
  const slider = page.getByRole('slider');
  await slider.waitFor({ timeout: 180_000 });
  await slider.fill('42');
  // A full-page shot from the top: scrolled down, the sticky top bar would be drawn mid-page.
  await page.evaluate(() => window.scrollTo(0, 0));
  await shoot('playground');

  // Phone width: the same app, one column, the menu folded.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${origin}/dashboard/accounts`);
  await page.getByRole('link', { name: 'Northwind Apparel' }).waitFor();
  await shoot('phone', false);
} finally {
  await chromium.close();
  await server.close();
  receiver.close();
}
console.log(shots.map((p) => `wrote ${p}`).join('\n'));
