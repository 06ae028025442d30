/**
 * Builds the OpenAPI document from the route schemas (the same ones the server validates with). `npm run openapi`
 * writes it to packages/server/openapi.json; a test fails when the checked-in copy drifts from the routes.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createTestContext } from '../testing/test-server.js';

export const OPENAPI_PATH = fileURLToPath(new URL('../../openapi.json', import.meta.url));

export async function buildOpenApiDocument(): Promise<Record<string, unknown>> {
  const ctx = await createTestContext({ workers: false });
  try {
    await ctx.app.ready();
    return ctx.app.swagger() as unknown as Record<string, unknown>;
  } finally {
    await ctx.close();
  }
}

export const serialize = (doc: unknown) => `${JSON.stringify(doc, null, 2)}\n`;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const doc = await buildOpenApiDocument();
  writeFileSync(OPENAPI_PATH, serialize(doc));
  console.log(`wrote ${OPENAPI_PATH}`);
}
