/**
 * Outfits through the API (fitroom's extension, docs/compatibility.md): several products dressed in one generation
 * for an account allowed them, one credit each, in a sensible layer order, each garment on the previous result; the
 * combinations the engines cannot layer refused up front (400 naming `products.N`) or, for products whose words name
 * no garment, once the engine analysed them (FAILED UNSUPPORTED_OUTFIT, refunded). Accounts not allowed outfits get
 * Genlook's answer to a second product, unchanged.
 *
 * The try-ons run on a recording engine: it draws a new image per call (so chaining is visible as "this call's person
 * is that call's output") and reports the category a product image's `role` names (`as-upper`…), standing in for the
 * composite engine's analysis of an untitled product's photo.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { EngineError, type TryOnEngine, type TryOnInput, type TryOnOutput } from '@fitroom/engine';
import sharp from 'sharp';
import { setAccountLogo } from '../services/logo.js';
import { adminClient } from '../testing/admin-client.js';
import { readFixture } from '../testing/fixtures.js';
import { type ImageServer, startImageServer } from '../testing/image-server.js';
import { createTestContext, type TestContext } from '../testing/test-server.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

interface Call {
  title: string | null;
  person: string;
  output: string;
}

class RecordingEngine implements TryOnEngine {
  readonly name = 'recording';
  calls: Call[] = [];

  async tryOn(input: TryOnInput): Promise<TryOnOutput> {
    if (input.product.title === 'Broken skirt') throw new EngineError('GARMENT_NOT_DETECTED', 'No garment found.');
    const n = this.calls.length;
    const image = await sharp({
      create: { width: 40, height: 50, channels: 3, background: { r: (n * 37) % 256, g: (n * 11) % 256, b: 90 } },
    })
      .png()
      .toBuffer();
    this.calls.push({ title: input.product.title, person: sha(input.person), output: sha(image) });
    const role = input.product.images[0]?.role ?? '';
    const category = role.startsWith('as-') ? role.slice(3) : undefined;
    return {
      image,
      contentType: 'image/png',
      width: 40,
      height: 50,
      diagnostics: category ? { garment: { category } } : {},
    };
  }

  async close() {}
}

describe('outfits through the API', () => {
  let ctx: TestContext;
  let images: ImageServer;
  const engine = new RecordingEngine();
  const personPhoto = readFixture('person', 'woman-2.png');

  before(async () => {
    ctx = await createTestContext({
      localBlobs: true,
      env: { ALLOW_PRIVATE_FETCH: 'true' },
      extraEngines: new Map<string, TryOnEngine>([['recording', engine]]),
    });
    images = await startImageServer({
      '/tee.jpg': { data: readFixture('garment', 'upper-1.jpg') },
      '/skirt.jpg': { data: readFixture('garment', 'upper-2.jpg') },
      '/dress.jpg': { data: readFixture('garment', 'dress-1.jpg') },
      '/person.png': { data: personPhoto, contentType: 'image/png' },
    });
  });
  after(async () => {
    await images?.close();
    await ctx?.close();
  });

  const person = () => ({ image: { source: { url: images.url('/person.png') } } });
  const product = (externalId: string, title: string | null, path = '/tee.jpg', role?: string) => ({
    externalId,
    ...(title !== null ? { title } : {}),
    images: [{ source: { url: images.url(path) }, ...(role ? { role } : {}) }],
  });
  const post = async (apiKey: string, body: unknown, sync = false) => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/tryon/v1/try-on${sync ? '/sync' : ''}`,
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    return { status: res.statusCode, body: res.json() };
  };
  /** A new account on the recording engine, allowed `outfitItems` products per try-on. */
  const account = async (credits: number, outfitItems: number) => {
    const a = await ctx.newAccount(credits);
    await ctx.deps.accounts.update(a.id, { engine: 'recording', maxOutfitItems: outfitItems });
    return a;
  };
  const waitDone = async (id: string) => {
    await ctx.deps.generations.waitForTerminal(id, 20_000);
    return (await ctx.deps.generations.find(id))!;
  };
  const ledger = (accountId: string) =>
    ctx.deps.db
      .selectFrom('credit_ledger')
      .select(['delta', 'reason'])
      .where('account_id', '=', accountId)
      .where('generation_id', 'is not', null)
      .orderBy('created_at')
      .execute();
  const generationsOf = async (accountId: string) =>
    (await ctx.deps.db.selectFrom('generations').select('id').where('account_id', '=', accountId).execute()).length;

  test('an account not allowed outfits gets Genlook’s answer to a second product, word for word, and pays nothing', async () => {
    const a = await account(10, 1);
    const body = { products: [product('tee', 'Cotton tee'), product('skirt', 'Midi skirt')], person: person() };
    const res = await post(a.apiKey, body);
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, {
      code: 'VALIDATION_FAILED',
      message: 'Request validation failed.',
      status: 400,
      details: [{ path: 'products', message: 'Exactly one product is supported for now' }],
    });
    assert.equal(await ctx.deps.credits.balance(a.id), 10);
    assert.equal(await generationsOf(a.id), 0);
  });

  test('PATCH /admin/v1/accounts/:id sets maxOutfitItems (1 to 5), and the account shows it', async () => {
    const a = await ctx.newAccount(1);
    const admin = adminClient(ctx);
    const before = await admin.json<{ maxOutfitItems: number }>('GET', `/admin/v1/accounts/${a.id}`);
    assert.equal(before.maxOutfitItems, 1, 'one product, as Genlook, by default');
    const changed = await admin.json<{ maxOutfitItems: number }>('PATCH', `/admin/v1/accounts/${a.id}`, {
      maxOutfitItems: 2,
    });
    assert.equal(changed.maxOutfitItems, 2);
    for (const bad of [0, 6, 1.5, '2']) {
      const res = await admin.call('PATCH', `/admin/v1/accounts/${a.id}`, { maxOutfitItems: bad });
      assert.equal(res.statusCode, 400, `maxOutfitItems ${JSON.stringify(bad)}`);
      assert.equal(res.json().details[0].path, 'maxOutfitItems');
    }
    assert.equal((await ctx.deps.accounts.require(a.id)).max_outfit_items, 2);
  });

  test('a top and a bottom: the bottom first, the top on its result; two credits in one ledger row; both ids answered', async () => {
    const a = await account(10, 2);
    engine.calls = [];
    // The request names the top first: the layer order, not the request's, decides.
    const res = await post(a.apiKey, {
      products: [product('tee-1', 'Striped cotton T-shirt'), product('skirt-1', 'Pleated midi skirt', '/skirt.jpg')],
      person: person(),
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.productExternalIds, ['tee-1', 'skirt-1']);
    assert.equal(res.body.productExternalId, 'tee-1', 'the first product, as for one product');
    assert.equal(await ctx.deps.credits.balance(a.id), 8);
    assert.deepEqual(await ledger(a.id), [{ delta: -2, reason: 'generation_debit' }]);

    const row = await waitDone(res.body.generationId);
    assert.equal(row.status, 'COMPLETED', row.error_message ?? '');
    assert.deepEqual(
      engine.calls.map((c) => c.title),
      ['Pleated midi skirt', 'Striped cotton T-shirt'],
    );
    const personBlob = (await ctx.deps.blobs.get(row.person_blob_key!))!.data;
    assert.equal(engine.calls[0]!.person, sha(personBlob), 'the bottom is dressed on the person');
    assert.equal(engine.calls[1]!.person, engine.calls[0]!.output, 'the top is dressed on the bottom’s result');
    const result = (await ctx.deps.blobs.get(row.result_blob_key!))!.data;
    assert.equal(sha(result), engine.calls[1]!.output, 'the result is the last garment’s');

    // The URL images were downloaded by the job and recorded per product: on both products and in the snapshots.
    for (const id of ['tee-1', 'skirt-1']) {
      const stored = await ctx.deps.products.find(ctx.deps.db, a.id, id);
      assert.ok(stored!.images[0]!.blob_key, `${id}'s image stored`);
    }
    const outfit = JSON.parse(row.outfit_snapshot!) as Array<{
      externalId: string;
      position: number;
      images: Array<{ blobKey: string | null }>;
    }>;
    assert.deepEqual(
      outfit.map((i) => [i.externalId, i.position]),
      [
        ['skirt-1', 1],
        ['tee-1', 0],
      ],
    );
    assert.ok(outfit.every((i) => i.images[0]!.blobKey));
    assert.ok(JSON.parse(row.product_snapshot).images[0].blobKey, 'product_snapshot (the first product) too');

    const gen = await ctx.app.inject({
      url: `/tryon/v1/generations/${res.body.generationId}`,
      headers: { 'x-api-key': a.apiKey },
    });
    assert.deepEqual(gen.json().productExternalIds, ['tee-1', 'skirt-1']);
    assert.equal(gen.json().productExternalId, 'tee-1');
  });

  test('a dress and outerwear: the dress first, the jacket over it; /try-on/sync answers with both ids', async () => {
    const a = await account(5, 2);
    engine.calls = [];
    const res = await post(
      a.apiKey,
      {
        products: [product('jacket', 'Cropped denim jacket'), product('dress', 'Floral midi dress', '/dress.jpg')],
        person: person(),
      },
      true,
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, 'COMPLETED');
    assert.deepEqual(res.body.productExternalIds, ['jacket', 'dress']);
    assert.deepEqual(
      engine.calls.map((c) => c.title),
      ['Floral midi dress', 'Cropped denim jacket'],
    );
    assert.equal(await ctx.deps.credits.balance(a.id), 3);
  });

  test('combinations that cannot be layered: 400 VALIDATION_FAILED naming products.N, nothing charged or stored', async () => {
    const a = await account(10, 3);
    const cases: Array<[unknown[], string, RegExp]> = [
      [[product('d', 'Maxi dress'), product('j', 'Slim jeans')], 'products.1', /dress's skirt/],
      [[product('t1', 'Cotton tee'), product('t2', 'Silk blouse')], 'products.1', /top closed/],
      [[product('s', 'Mini skirt'), product('p', 'Wide-leg trousers')], 'products.1', /replace the other/],
      [[product('d', 'Maxi dress'), product('t', 'Cotton tee')], 'products.1', /only outerwear/],
      [
        [product('j', 'Slim jeans'), product('t', 'Cotton tee'), product('k', 'Wool blazer')],
        'products.2',
        /top closed/,
      ],
      [[product('m', 'mock'), product('t', 'Cotton tee')], 'products.1.title', /mock/],
      [[product('t', 'Cotton tee'), product('t', 'Cotton tee')], 'products.1.externalId', /twice/],
    ];
    for (const [products, path, why] of cases) {
      const res = await post(a.apiKey, { products, person: person() });
      assert.equal(res.status, 400, JSON.stringify(products));
      assert.equal(res.body.code, 'VALIDATION_FAILED');
      assert.equal(res.body.details[0].path, path, JSON.stringify(res.body));
      assert.match(`${res.body.message} ${res.body.details[0].message}`, why);
    }
    const four = await post(a.apiKey, {
      products: [product('a', 'Jeans'), product('b', 'Tee'), product('c', 'Skirt'), product('d', 'Dress')],
      person: person(),
    });
    assert.equal(four.status, 400);
    assert.deepEqual(four.body.details, [
      { path: 'products', message: 'At most 3 products per try-on on this account' },
    ]);
    assert.equal(await ctx.deps.credits.balance(a.id), 10);
    assert.equal(await generationsOf(a.id), 0);
    const products = await ctx.deps.db.selectFrom('products').select('id').where('account_id', '=', a.id).execute();
    assert.equal(products.length, 0, 'the inline upserts were rolled back with the refusal');
  });

  test('an outfit costs one credit per product: a balance of 1 is refused with 402 for two', async () => {
    const a = await account(1, 2);
    const res = await post(a.apiKey, {
      products: [product('t', 'Cotton tee'), product('s', 'Midi skirt', '/skirt.jpg')],
      person: person(),
    });
    assert.equal(res.status, 402);
    assert.equal(res.body.code, 'INSUFFICIENT_CREDITS');
    assert.equal(await ctx.deps.credits.balance(a.id), 1);
  });

  test('one product on an account allowed outfits: the answer and the cost are Genlook’s', async () => {
    const a = await account(5, 2);
    const res = await post(a.apiKey, { products: [product('solo', 'Cotton tee')], person: person() });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body).sort(), ['generationId', 'productExternalId', 'status']);
    const row = await waitDone(res.body.generationId);
    assert.equal(row.status, 'COMPLETED');
    assert.equal(row.outfit_snapshot, null);
    assert.equal(await ctx.deps.credits.balance(a.id), 4);
  });

  test('untitled products placed by guess: the analysis finds the order wrong, and the outfit is dressed again right', async () => {
    const a = await account(5, 2);
    engine.calls = [];
    // Neither product's words name a garment: accepted in the request's order; the first analysed is a top, so
    // the other goes under it.
    const res = await post(a.apiKey, {
      products: [product('u1', null, '/tee.jpg', 'as-upper'), product('u2', null, '/skirt.jpg', 'as-lower')],
      person: person(),
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const row = await waitDone(res.body.generationId);
    assert.equal(row.status, 'COMPLETED', row.error_message ?? '');
    assert.equal(engine.calls.length, 3, 'the top, then (again from the person) the bottom and the top');
    const personHash = sha((await ctx.deps.blobs.get(row.person_blob_key!))!.data);
    assert.equal(engine.calls[1]!.person, personHash, 'the second round starts from the person');
    assert.equal(engine.calls[2]!.person, engine.calls[1]!.output, 'the top over the bottom');
    assert.equal(sha((await ctx.deps.blobs.get(row.result_blob_key!))!.data), engine.calls[2]!.output);
    assert.equal(await ctx.deps.credits.balance(a.id), 3, 'two credits, whatever the engine time');
  });

  test('untitled products the analysis finds cannot be layered: FAILED UNSUPPORTED_OUTFIT, both credits refunded', async () => {
    const a = await account(5, 2);
    const res = await post(a.apiKey, {
      products: [product('v1', null, '/tee.jpg', 'as-upper'), product('v2', null, '/skirt.jpg', 'as-upper')],
      person: person(),
    });
    assert.equal(res.status, 200);
    const row = await waitDone(res.body.generationId);
    assert.equal(row.status, 'FAILED');
    assert.equal(row.error_code, 'UNSUPPORTED_OUTFIT');
    assert.match(row.error_message!, /'v2' \(products\.1\)/);
    assert.equal(await ctx.deps.credits.balance(a.id), 5);
    assert.deepEqual(await ledger(a.id), [
      { delta: -2, reason: 'generation_debit' },
      { delta: 2, reason: 'generation_refund' },
    ]);
  });

  test('an engine refusal on the second garment fails the outfit and refunds every credit', async () => {
    const a = await account(4, 2);
    const res = await post(a.apiKey, {
      products: [product('ok-top', 'Cotton tee'), product('bad', 'Broken skirt', '/skirt.jpg')],
      person: person(),
    });
    const row = await waitDone(res.body.generationId);
    assert.equal(row.status, 'FAILED');
    assert.equal(row.error_code, 'GARMENT_NOT_DETECTED');
    assert.equal(await ctx.deps.credits.balance(a.id), 4);
  });

  test('the watermark is drawn once, on the finished outfit: the top is dressed on the unmarked bottom', async () => {
    const a = await account(4, 2);
    const logo = await sharp({ create: { width: 64, height: 32, channels: 4, background: '#ff0000' } })
      .png()
      .toBuffer();
    await setAccountLogo(ctx.deps, a.id, logo);
    engine.calls = [];
    const res = await post(a.apiKey, {
      products: [product('wt', 'Cotton tee'), product('ws', 'Midi skirt', '/skirt.jpg')],
      person: person(),
    });
    const row = await waitDone(res.body.generationId);
    assert.equal(row.status, 'COMPLETED', row.error_message ?? '');
    assert.equal(engine.calls[1]!.person, engine.calls[0]!.output, 'no watermark between the garments');
    const result = (await ctx.deps.blobs.get(row.result_blob_key!))!.data;
    assert.notEqual(sha(result), engine.calls[1]!.output, 'the finished outfit is watermarked');
  });

  test('an outfit of `mock` products runs on the mock engine: the person comes back unchanged', async () => {
    const a = await ctx.newAccount(3);
    await ctx.deps.accounts.update(a.id, { maxOutfitItems: 2 });
    const res = await post(a.apiKey, {
      products: [product('m1', 'mock'), product('m2', 'mock', '/skirt.jpg')],
      person: person(),
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const row = await waitDone(res.body.generationId);
    assert.equal(row.engine, 'mock');
    assert.equal(row.status, 'COMPLETED');
    const personBlob = (await ctx.deps.blobs.get(row.person_blob_key!))!.data;
    const result = (await ctx.deps.blobs.get(row.result_blob_key!))!.data;
    assert.equal(sha(result), sha(personBlob));
    assert.equal(await ctx.deps.credits.balance(a.id), 1);
  });
});
