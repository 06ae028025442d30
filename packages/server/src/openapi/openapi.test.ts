import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildOpenApiDocument, OPENAPI_PATH, serialize } from './generate.js';

test('the checked-in openapi.json matches the routes (run `npm run openapi` after changing a route)', async () => {
  const generated = serialize(await buildOpenApiDocument());
  assert.equal(readFileSync(OPENAPI_PATH, 'utf8'), generated);
});

test('the document covers every operation of the contract, with the API key scheme', async () => {
  const doc = (await buildOpenApiDocument()) as {
    paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
    components: { securitySchemes: Record<string, unknown> };
  };
  // The admin API (docs/admin-api.md) is documented beside the contract, with its own schemes (the next test).
  const isAdmin = (path: string) => path.startsWith('/admin/') || path.startsWith('/dashboard/');
  const ops = Object.entries(doc.paths)
    .filter(([path]) => !isAdmin(path))
    .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
  assert.deepEqual(ops.sort(), [
    'DELETE /tryon/v1/customers/{customerId}',
    'DELETE /tryon/v1/products/{externalId}',
    'GET /tryon/v1/account/credits',
    'GET /tryon/v1/generations/{id}',
    'GET /tryon/v1/products',
    'GET /tryon/v1/products/{externalId}',
    'POST /tryon/v1/images/upload',
    'POST /tryon/v1/products',
    'POST /tryon/v1/try-on',
    'POST /tryon/v1/try-on/sync',
  ]);
  assert.ok(doc.components.securitySchemes.apiKey);
  for (const [path, methods] of Object.entries(doc.paths)) {
    if (isAdmin(path)) continue;
    for (const op of Object.values(methods)) assert.deepEqual(op.security, [{ apiKey: [] }]);
  }
});

test('the admin API is documented with the admin token or session, never the account key', async () => {
  const doc = (await buildOpenApiDocument()) as {
    paths: Record<string, Record<string, { security?: unknown[]; tags?: string[] }>>;
    components: { securitySchemes: Record<string, { type: string; in?: string; name?: string; scheme?: string }> };
  };
  assert.deepEqual(doc.components.securitySchemes.adminToken, {
    type: 'http',
    scheme: 'bearer',
    description: 'The admin token (ADMIN_TOKEN)',
  });
  assert.equal(doc.components.securitySchemes.adminSession?.in, 'cookie');
  const admin = Object.entries(doc.paths).filter(([path]) => path.startsWith('/admin/v1/'));
  assert.ok(admin.length > 0);
  for (const [path, methods] of admin) {
    for (const [method, op] of Object.entries(methods)) {
      assert.deepEqual(op.security, [{ adminToken: [] }, { adminSession: [] }], `${method} ${path}`);
      assert.match(op.tags?.[0] ?? '', /^Admin: /);
    }
  }
  const session = doc.paths['/dashboard/session'];
  assert.deepEqual(Object.keys(session ?? {}).sort(), ['delete', 'post']);
  assert.equal(session?.post?.security, undefined, 'signing in takes the token in the body');
});

test('the browsable reference page is served next to the document', async () => {
  const { createTestContext } = await import('../testing/test-server.js');
  const ctx = await createTestContext({ workers: false });
  try {
    const page = await ctx.app.inject({ url: '/tryon/v1/docs/' });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-type']), /text\/html/);
    const doc = await ctx.app.inject({ url: '/tryon/v1/openapi.json' });
    assert.equal(doc.json().openapi, '3.0.3');
  } finally {
    await ctx.close();
  }
});

test('the document is valid OpenAPI 3 (schema-validated by swagger-parser)', async () => {
  const SwaggerParser = (await import('@apidevtools/swagger-parser')).default;
  const doc = JSON.parse(readFileSync(OPENAPI_PATH, 'utf8'));
  await SwaggerParser.validate(doc);
});
