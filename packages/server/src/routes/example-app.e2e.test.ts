/**
 * Replays, over real HTTP, the request sequences of Genlook's official example app (spec §6): the current version
 * (upload → /try-on/sync → 404 → multipart POST /products → /try-on/sync → poll) and the older one (legacy
 * `product` + `customer:{id}` multipart /try-on, then polling), exactly as those apps send them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readFixture } from '../testing/fixtures.js';
import { startTestServer } from '../testing/test-server.js';

describe('the official example app, replayed over HTTP', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let base: string;
  let headers: Record<string, string>;
  const product = {
    id: 'demo-tee-01',
    externalId: 'demo-tee-01',
    title: 'Classic Tee',
    description: 'A soft cotton tee',
  };
  const productImage = readFixture('garment', 'upper-1.jpg');

  before(async () => {
    server = await startTestServer({ credits: 10 });
    base = server.baseUrl; // what GENLOOK_BASE_URL is set to: http://HOST:PORT/tryon/v1
    headers = { 'x-api-key': server.apiKey };
  });
  after(() => server.close());

  const upload = async () => {
    // app/api/images/upload: client.images.upload(bytes, {mimeType, filename})
    const form = new FormData();
    form.append('file', new Blob([readFixture('person', 'woman-1.jpg')], { type: 'image/jpeg' }), 'me.jpg');
    const res = await fetch(`${base}/images/upload`, { method: 'POST', headers, body: form });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { imageId: string; imageUrl: string };
    assert.equal((await fetch(body.imageUrl)).status, 200, 'imageUrl is fetchable as given');
    return body.imageId;
  };

  const poll = async (generationId: string) => {
    // components/TryOnWidget: GET /generations/:id every 2000 ms until COMPLETED or FAILED (faster here).
    for (let i = 0; i < 200; i++) {
      const res = await fetch(`${base}/generations/${generationId}`, { headers });
      const body = (await res.json()) as { status: string; resultImageUrl?: string; errorMessage?: string };
      if (body.status === 'COMPLETED' || body.status === 'FAILED') return body;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('generation did not finish');
  };

  test('current app: sync try-on, 404 → register the product (multipart) → sync again → result', async () => {
    const imageId = await upload();
    const mockExternalId = `${product.externalId}-mock`; // mock mode on, as the widget defaults to
    const syncBody = JSON.stringify({
      products: [{ externalId: mockExternalId }],
      person: { image: { source: { id: imageId } } },
    });
    const sync = () =>
      fetch(`${base}/try-on/sync`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: syncBody,
        signal: AbortSignal.timeout(100_000),
      });

    const first = await sync();
    assert.equal(first.status, 404);
    const err = (await first.json()) as { code: string };
    assert.equal(err.code, 'PRODUCT_NOT_FOUND');

    // client.products.upsert({externalId, title, description, images:[{source:{fileKey:'product'}}], files:{product}})
    const form = new FormData();
    form.append(
      'data',
      JSON.stringify({
        externalId: mockExternalId,
        title: 'mock',
        description: product.description,
        images: [{ source: { fileKey: 'product' } }],
      }),
    );
    form.append('product', new Blob([productImage], { type: 'image/jpeg' }), 'product.jpg');
    const upsert = await fetch(`${base}/products`, { method: 'POST', headers, body: form });
    assert.equal(upsert.status, 200);

    const second = await sync();
    // A mock try-on finishes in milliseconds, well inside the sync window: 200 (the app also handles 202).
    assert.equal(second.status, 200);
    const body = (await second.json()) as { generationId: string; status: string; resultImageUrl?: string };
    assert.ok(body.generationId);
    const done = second.status === 200 ? body : await poll(body.generationId);
    assert.equal(done.status, 'COMPLETED');
    const result = await fetch(done.resultImageUrl!);
    assert.equal(result.status, 200);
    assert.equal(result.headers.get('content-type'), 'image/jpeg');
  });

  test('older app (SDK 0.1.2): legacy product + customer:{id}, multipart with the product file, then polling', async () => {
    const imageId = await upload();
    const form = new FormData();
    form.append(
      'data',
      JSON.stringify({
        product: {
          externalId: 'legacy-tee',
          title: 'mock',
          description: product.description,
          images: [{ fileKey: 'product' }],
        },
        customer: { id: imageId },
      }),
    );
    form.append('product', new Blob([productImage], { type: 'image/jpeg' }), 'product.jpg');
    const res = await fetch(`${base}/try-on`, { method: 'POST', headers, body: form });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { generationId: string; status: string; productExternalId: string };
    assert.equal(body.status, 'PENDING');
    assert.equal(body.productExternalId, 'legacy-tee');
    const done = await poll(body.generationId);
    assert.equal(done.status, 'COMPLETED');
    assert.equal((await fetch(`${base}/account/credits`, { headers }).then((r) => r.json())).creditBalance, 8);
  });
});

describe('/try-on/sync and a client that hangs up', () => {
  test('the server stops waiting when the client disconnects; the generation still completes', async () => {
    const { createTestContext } = await import('../testing/test-server.js');
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let waiting = 0;
    const slow = {
      name: 'slow',
      async tryOn(input: { person: Uint8Array }) {
        await gate;
        return { image: input.person, contentType: 'image/jpeg' as const, width: 0, height: 0 };
      },
      async close() {},
    };
    const ctx = await createTestContext({ listen: true, extraEngines: new Map([['slow', slow]]) });
    try {
      await ctx.deps.accounts.update(ctx.accountId, { engine: 'slow' });
      const events = ctx.deps.events;
      const original = events.waitForTerminal.bind(events);
      let aborted = false;
      events.waitForTerminal = (id, ms, signal) => {
        waiting++;
        signal?.addEventListener('abort', () => {
          aborted = true;
        });
        return original(id, ms, signal);
      };
      const form = new FormData();
      form.append(
        'data',
        JSON.stringify({
          products: [{ title: 'tee', images: [{ source: { fileKey: 'g' } }] }],
          person: { image: { source: { fileKey: 'p' } } },
        }),
      );
      form.append('g', new Blob([readFixture('garment', 'upper-1.jpg')]), 'g.jpg');
      form.append('p', new Blob([readFixture('person', 'woman-2.png')]), 'p.png');
      const client = new AbortController();
      const pending = fetch(`${ctx.baseUrl}/try-on/sync`, {
        method: 'POST',
        headers: { 'x-api-key': ctx.apiKey },
        body: form,
        signal: client.signal,
      }).catch(() => null);
      for (let i = 0; i < 200 && waiting === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(waiting > 0, 'the request is waiting for the generation');
      client.abort();
      await pending;
      for (let i = 0; i < 200 && !aborted; i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(aborted, 'the wait was cancelled when the client went away');
      release();
      const [gen] = await ctx.deps.db.selectFrom('generations').select('id').execute();
      assert.equal((await ctx.deps.generations.waitForTerminal(gen!.id, 10_000)).status, 'COMPLETED');
    } finally {
      release();
      await ctx.close();
    }
  });
});
