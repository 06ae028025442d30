import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Fitroom } from '../client.js';
import { ENDPOINTS, type EndpointName } from '../endpoints.js';
import { testClient as client, formKeys, GEN, localApis, parseForm, sendJson } from '../local-api.test.support.js';

const api = localApis();

const PRODUCT = (externalId: string) => ({
  externalId,
  title: 't',
  description: '',
  metadata: null,
  autoDetectImageRoles: false,
  validForDays: null,
  expiresAt: null,
  lastUsedAt: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  images: [],
});

describe('every method sends the method and path of its ENDPOINTS row', () => {
  test('wire table', async () => {
    const s = await api((req, res) => {
      if (req.method === 'DELETE') {
        res.writeHead(204);
        res.end();
      } else if (req.url.startsWith('/tryon/v1/products?'))
        sendJson(res, 200, { items: [], nextCursor: null, hasMore: false, count: 0 });
      else if (req.url.startsWith('/tryon/v1/generations/')) sendJson(res, 200, GEN('COMPLETED'));
      else sendJson(res, 200, { ok: true });
    });
    const c = client(s.baseUrl);
    const body = { products: [{ externalId: 'p' }], person: { image: { source: { id: 'img' } } } };
    const calls: Record<EndpointName, () => Promise<unknown>> = {
      'images.upload': () => c.images.upload(new Uint8Array([1, 2, 3]), { mimeType: 'image/jpeg' }),
      'tryOn.create': () => c.tryOn.create(body),
      'tryOn.createSync': () => c.tryOn.createSync(body),
      'generations.retrieve': () => c.generations.retrieve('gen_1'),
      'products.upsert': () => c.products.upsert({ externalId: 'p' }),
      'products.list': () => c.products.list({ limit: 5 }),
      'products.retrieve': () => c.products.retrieve('p'),
      'products.delete': () => c.products.delete('p'),
      'customers.delete': () => c.customers.delete('u1'),
      'account.credits': () => c.account.credits(),
    };
    for (const [name, call] of Object.entries(calls) as Array<[EndpointName, () => Promise<unknown>]>) {
      const before = s.requests.length;
      const out = await call();
      const req = s.requests[before]!;
      const ep = ENDPOINTS[name];
      assert.equal(req.method, ep.method, name);
      const expected = ep.path
        .replace('{generationId}', 'gen_1')
        .replace('{externalId}', 'p')
        .replace('{customerId}', 'u1');
      assert.equal(req.url.split('?')[0], `/tryon/v1${expected}`, name);
      assert.equal(req.headers['x-api-key'], 'gk_test', name);
      if (ep.method === 'DELETE') assert.equal(out, undefined, `${name} resolves to undefined on 204`);
    }
    assert.equal(s.requests.length, Object.keys(ENDPOINTS).length);
  });
});

describe('path encoding', () => {
  test('ids are URL-encoded as one path segment', async () => {
    const s = await api((_req, res) => sendJson(res, 200, PRODUCT('x')));
    const c = client(s.baseUrl);
    await c.products.retrieve('a/b?c=d#e f');
    await c.generations.retrieve('gen%1');
    assert.deepEqual(
      s.requests.map((r) => r.url),
      ['/tryon/v1/products/a%2Fb%3Fc%3Dd%23e%20f', '/tryon/v1/generations/gen%251'],
    );
  });
  test('an empty id, "." or ".." is refused before any request (URL parsing would resolve the dots)', async () => {
    const s = await api((_req, res) => sendJson(res, 200, {}));
    await assert.rejects(client(s.baseUrl).products.delete(''), TypeError);
    await assert.rejects(client(s.baseUrl).products.retrieve('..'), TypeError);
    await assert.rejects(client(s.baseUrl).customers.delete('.'), TypeError);
    assert.equal(s.requests.length, 0);
  });
  test('a base URL with a trailing slash works', async () => {
    const s = await api((_req, res) => sendJson(res, 200, { creditBalance: 1 }));
    await new Fitroom({ apiKey: 'k', baseUrl: `${s.baseUrl}/` }).account.credits();
    assert.equal(s.requests[0]!.url, '/tryon/v1/account/credits');
  });
});

describe('request bodies', () => {
  test('images.upload: multipart file + form fields, crop as "true"/"false"', async () => {
    const s = await api((_req, res) => sendJson(res, 200, { imageId: 'img_1', imageUrl: 'http://x' }));
    const bytes = new Uint8Array([0xff, 0xd8, 0xff, 0x00, 0x01]);
    const out = await client(s.baseUrl).images.upload(bytes, {
      mimeType: 'image/jpeg',
      filename: 'me.jpg',
      crop: false,
      externalUserId: 'u1',
      keepForDays: 3,
    });
    assert.deepEqual(out, { imageId: 'img_1', imageUrl: 'http://x' });
    const form = await parseForm(s.requests[0]!);
    const file = form.get('file');
    assert.ok(file instanceof Blob);
    assert.equal((file as File).name, 'me.jpg');
    assert.equal(file.type, 'image/jpeg');
    assert.deepEqual(new Uint8Array(await file.arrayBuffer()), bytes);
    assert.equal(form.get('crop'), 'false');
    assert.equal(form.get('externalUserId'), 'u1');
    assert.equal(form.get('keepForDays'), '3');
    assert.deepEqual(formKeys(form).sort(), ['crop', 'externalUserId', 'file', 'keepForDays']);

    // Defaults: a Buffer and an ArrayBuffer work, crop true is sent as "true", a filename is derived from the type.
    await client(s.baseUrl).images.upload(Buffer.from([1, 2]), { mimeType: 'image/png', crop: true });
    const f2 = await parseForm(s.requests[1]!);
    assert.equal((f2.get('file') as File).name, 'upload.png');
    assert.equal(f2.get('crop'), 'true');
    await client(s.baseUrl).images.upload(new Uint8Array([9]).buffer, {});
    const f3 = await parseForm(s.requests[2]!);
    assert.equal((f3.get('file') as File).type, 'application/octet-stream');
    assert.deepEqual(formKeys(f3), ['file']);
    // A Blob keeps its own type.
    await client(s.baseUrl).images.upload(new Blob([new Uint8Array([7])], { type: 'image/webp' }));
    assert.equal(((await parseForm(s.requests[3]!)).get('file') as File).type, 'image/webp');
  });

  test('tryOn.create without files: JSON body, files key absent', async () => {
    const s = await api((_req, res) =>
      sendJson(res, 200, { generationId: 'gen_1', status: 'PENDING', productExternalId: 'p' }),
    );
    const body = {
      products: [{ externalId: 'p' }],
      person: { image: { source: { id: 'img_1' } } },
      output: { watermark: false, keepForDays: 7 as const, aiLabel: true },
      externalUserId: 'u1',
    };
    await client(s.baseUrl).tryOn.create({ ...body, files: {} });
    const r = s.requests[0]!;
    assert.equal(r.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(r.body.toString()), body);
  });

  test('tryOn.create with files: multipart, JSON in "data", one part per file key', async () => {
    const s = await api((_req, res) =>
      sendJson(res, 200, { generationId: 'gen_1', status: 'PENDING', productExternalId: 'p' }),
    );
    // The deprecated shape (product/customer), as the older Genlook example app sends it.
    const json = {
      product: { externalId: 'p', title: 'mock', images: [{ fileKey: 'product' }] },
      customer: { fileKey: 'me' },
      useWatermark: false,
    };
    const productBytes = new Uint8Array([1, 2, 3, 4]);
    await client(s.baseUrl).tryOn.create({
      ...json,
      files: {
        product: { data: productBytes, filename: 'tee.png', mimeType: 'image/png' },
        me: { data: new Blob([new Uint8Array([5, 6])], { type: 'image/jpeg' }) },
      },
    });
    const r = s.requests[0]!;
    assert.match(String(r.headers['content-type']), /^multipart\/form-data; boundary=/);
    const form = await parseForm(r);
    assert.deepEqual(formKeys(form), ['data', 'product', 'me']);
    assert.equal(typeof form.get('data'), 'string', 'data must be a text field, not a file');
    assert.deepEqual(JSON.parse(form.get('data') as string), json);
    const product = form.get('product') as File;
    assert.equal(product.name, 'tee.png');
    assert.equal(product.type, 'image/png');
    assert.deepEqual(new Uint8Array(await product.arrayBuffer()), productBytes);
    const me = form.get('me') as File;
    assert.equal(me.name, 'me');
    assert.equal(me.type, 'image/jpeg');
    assert.deepEqual(new Uint8Array(await me.arrayBuffer()), new Uint8Array([5, 6]));
  });

  test('products.upsert with files: multipart; without: JSON', async () => {
    const s = await api((_req, res) => sendJson(res, 200, PRODUCT('p')));
    const c = client(s.baseUrl);
    await c.products.upsert({
      externalId: 'p',
      title: 'Tee',
      images: [{ source: { fileKey: 'product' } }],
      files: { product: { data: Buffer.from('abc'), mimeType: 'image/jpeg' } },
    });
    const form = await parseForm(s.requests[0]!);
    assert.deepEqual(JSON.parse(form.get('data') as string), {
      externalId: 'p',
      title: 'Tee',
      images: [{ source: { fileKey: 'product' } }],
    });
    assert.equal(await (form.get('product') as File).text(), 'abc');

    await c.products.upsert({
      externalId: 'p',
      images: [{ source: { url: 'https://cdn/x.jpg' } }],
      validForDays: null,
    });
    assert.equal(s.requests[1]!.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(s.requests[1]!.body.toString()), {
      externalId: 'p',
      images: [{ source: { url: 'https://cdn/x.jpg' } }],
      validForDays: null,
    });
  });

  test('a file key "data" is refused (it would clash with the JSON field)', async () => {
    const s = await api((_req, res) => sendJson(res, 200, PRODUCT('p')));
    await assert.rejects(
      client(s.baseUrl).products.upsert({ externalId: 'p', files: { data: { data: new Uint8Array([1]) } } }),
      TypeError,
    );
    assert.equal(s.requests.length, 0);
  });

  test('createSync returns the body of a 200 and of a 202; status tells which', async () => {
    const s = await api((_req, res, i) => {
      if (i === 0) sendJson(res, 200, GEN('COMPLETED', { resultImageUrl: 'http://r', productExternalId: 'p' }));
      else if (i === 1) sendJson(res, 202, { generationId: 'gen_2', status: 'PROCESSING' });
      else sendJson(res, 202, { generationId: 'gen_3' });
    });
    const c = client(s.baseUrl);
    const body = { products: [{ externalId: 'p' }], person: { image: { source: { url: 'https://me.jpg' } } } };
    const done = await c.tryOn.createSync(body);
    assert.equal(done.status, 'COMPLETED');
    assert.equal(done.resultImageUrl, 'http://r');
    assert.deepEqual(await c.tryOn.createSync(body), { generationId: 'gen_2', status: 'PROCESSING' });
    // A 202 without status is reported as PENDING so `status !== 'COMPLETED'` still routes it to waitFor.
    assert.deepEqual(await c.tryOn.createSync(body), { generationId: 'gen_3', status: 'PENDING' });
  });
});

describe('products.list / listAll', () => {
  test('list sends limit and cursor; listAll follows nextCursor across pages', async () => {
    const all = ['a', 'b', 'c', 'd', 'e'];
    const s = await api((req, res) => {
      const url = new URL(req.url, 'http://x');
      const limit = Number(url.searchParams.get('limit') ?? 50);
      const start = url.searchParams.has('cursor') ? all.indexOf(url.searchParams.get('cursor')!) : 0;
      const items = all.slice(start, start + limit).map(PRODUCT);
      const next = all[start + limit] ?? null;
      sendJson(res, 200, { items, nextCursor: next, hasMore: next !== null, count: items.length });
    });
    const c = client(s.baseUrl);
    const page = await c.products.list({ limit: 2 });
    assert.deepEqual(
      page.items.map((p) => p.externalId),
      ['a', 'b'],
    );
    assert.equal(page.hasMore, true);
    assert.equal(s.requests[0]!.url, '/tryon/v1/products?limit=2');
    await c.products.list({ limit: 2, cursor: page.nextCursor! });
    assert.equal(s.requests[1]!.url, '/tryon/v1/products?limit=2&cursor=c');
    await c.products.list();
    assert.equal(s.requests[2]!.url, '/tryon/v1/products');

    const before = s.requests.length;
    const ids: string[] = [];
    for await (const p of c.products.listAll({ limit: 2 })) ids.push(p.externalId);
    assert.deepEqual(ids, all);
    assert.deepEqual(
      s.requests.slice(before).map((r) => r.url),
      ['/tryon/v1/products?limit=2', '/tryon/v1/products?limit=2&cursor=c', '/tryon/v1/products?limit=2&cursor=e'],
    );
  });

  test('listAll stops on a server that repeats its cursor instead of looping', async () => {
    const s = await api((_req, res) =>
      sendJson(res, 200, { items: [PRODUCT('a')], nextCursor: 'same', hasMore: true, count: 1 }),
    );
    const ids: string[] = [];
    for await (const p of client(s.baseUrl).products.listAll()) ids.push(p.externalId);
    assert.deepEqual(ids, ['a', 'a']);
    assert.equal(s.requests.length, 2);
  });
});
