// Drift check between the SDK and the server's OpenAPI document (packages/server/openapi.json, generated from the
// route schemas). Both directions: every SDK endpoint must exist with its success statuses, every /tryon/v1 operation
// must have an SDK method, and the fields of each response type (RESPONSE_FIELDS, which the compiler ties to the
// TypeScript types) must equal the fields the server's schemas declare, required ones included.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ENDPOINTS } from './endpoints.js';
import { contractProblems, type Json } from './openapi-contract.test.support.js';
import { RESPONSE_FIELDS } from './response-fields.js';

const OPENAPI_PATH = fileURLToPath(new URL('../../server/openapi.json', import.meta.url));
/** Operations the SDK deliberately does not wrap (none today; add `METHOD /path` with the reason). */
const NOT_WRAPPED: Record<string, string> = {};

describe('OpenAPI contract checker (synthetic documents, so the real check below can fail)', () => {
  const schema = (required: string[], optional: string[] = []) => ({
    type: 'object',
    required,
    properties: Object.fromEntries([...required, ...optional].map((k) => [k, { type: 'string' }])),
  });
  const ok = (s: unknown) => ({ content: { 'application/json': { schema: s } } });
  const endpoints = {
    'account.credits': ENDPOINTS['account.credits'],
    'products.delete': ENDPOINTS['products.delete'],
  };
  const docWith = (creditsSchema: unknown, extraPaths: Json = {}) => ({
    openapi: '3.0.3',
    components: { schemas: { Credits: creditsSchema } },
    paths: {
      '/tryon/v1/account/credits': { get: { responses: { 200: ok({ $ref: '#/components/schemas/Credits' }) } } },
      '/tryon/v1/products/{id}': { delete: { responses: { 204: { description: 'gone' } } } },
      ...extraPaths,
    },
  });

  test('agreement gives no problems', () => {
    assert.deepEqual(contractProblems(docWith(schema(['creditBalance'])), endpoints, RESPONSE_FIELDS), []);
  });
  test('a field the server adds, or drops, or makes optional is reported', () => {
    assert.deepEqual(contractProblems(docWith(schema(['creditBalance', 'plan'])), endpoints, RESPONSE_FIELDS), [
      'CreditsResponse.plan: sent by the server, missing from the SDK type',
    ]);
    assert.deepEqual(contractProblems(docWith(schema(['balance'])), endpoints, RESPONSE_FIELDS), [
      'CreditsResponse.balance: sent by the server, missing from the SDK type',
      "CreditsResponse.creditBalance: in the SDK type, not in the server's schema",
    ]);
    assert.deepEqual(contractProblems(docWith(schema([], ['creditBalance'])), endpoints, RESPONSE_FIELDS), [
      "CreditsResponse.creditBalance: required in the SDK type, optional in the server's schema",
    ]);
  });
  test('a missing operation, an unwrapped operation and a wrong status are reported', () => {
    const doc = docWith(schema(['creditBalance']), {
      '/tryon/v1/products/{id}': { delete: { responses: { 200: ok(schema(['ok'])) } } },
      '/tryon/v1/health': { get: { responses: { 200: ok(schema(['ok'])) } } },
    });
    assert.deepEqual(
      contractProblems(doc, { ...endpoints, 'customers.delete': ENDPOINTS['customers.delete'] }, RESPONSE_FIELDS),
      [
        'products.delete: the document has no 204 response (it has 200)',
        'products.delete: the document also declares success status 200, unknown to the SDK',
        'customers.delete: DELETE /tryon/v1/customers/{customerId} is not in the OpenAPI document',
        'GET /health: in the OpenAPI document but no SDK method',
      ],
    );
  });
  test('nested types are followed through arrays and $refs', () => {
    const image = {
      type: 'object',
      required: ['sourceUrl', 'order'],
      properties: { sourceUrl: {}, order: {}, extra: {} },
    };
    const product = {
      type: 'object',
      required: [...RESPONSE_FIELDS.Product.required],
      properties: {
        ...Object.fromEntries(RESPONSE_FIELDS.Product.required.map((k) => [k, { type: 'string' }])),
        images: { type: 'array', items: { $ref: '#/components/schemas/Image' } },
      },
    };
    const doc = {
      components: { schemas: { Image: image } },
      paths: { '/tryon/v1/products/{x}': { get: { responses: { 200: ok(product) } } } },
    };
    assert.deepEqual(contractProblems(doc, { 'products.retrieve': ENDPOINTS['products.retrieve'] }, RESPONSE_FIELDS), [
      'ProductImage.extra: sent by the server, missing from the SDK type',
      "ProductImage.role: in the SDK type, not in the server's schema",
    ]);
  });
});

describe('SDK ↔ packages/server/openapi.json', () => {
  test('every SDK method, status and response field matches the server document, both ways', () => {
    const doc = JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')) as Json;
    assert.match(String(doc.openapi), /^3\./, 'not an OpenAPI 3 document');
    assert.deepEqual(contractProblems(doc, ENDPOINTS, RESPONSE_FIELDS, NOT_WRAPPED), []);
  });
});

// The same comparison against the document the real server serves at GET /tryon/v1/openapi.json, which is what the
// file is generated from (so a stale file and a drifted server are both caught).
describe('SDK ↔ the OpenAPI document served by a real fitroom test server', () => {
  test('every SDK method, status and response field matches, both ways', async () => {
    const url = new URL('../../server/src/testing/test-server.ts', import.meta.url).href;
    const { startTestServer } = (await import(url)) as {
      startTestServer: () => Promise<{ baseUrl: string; close(): Promise<void> }>;
    };
    const server = await startTestServer();
    try {
      const res = await fetch(`${server.baseUrl}/openapi.json`);
      assert.equal(res.status, 200);
      const doc = (await res.json()) as Json;
      assert.match(String(doc.openapi), /^3\./);
      assert.deepEqual(contractProblems(doc, ENDPOINTS, RESPONSE_FIELDS, NOT_WRAPPED), []);
    } finally {
      await server.close();
    }
  });
});
