// The examples are outside the package's tsconfig (src/ only), so this keeps them honest: they must type-check, and
// the recommended flow must run to completion against a scripted local API that makes it take the
// ProductNotFoundError → upsert → retry branch.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { examplesDir, run, runExample } from './examples.test.support.js';
import { GEN, localApis, parseForm, sendError, sendJson } from './local-api.test.support.js';

const api = localApis();

describe('examples', () => {
  test('type-check (tsc -p packages/sdk/examples)', async () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const res = await run(process.execPath, [tsc, '-p', `${examplesDir}tsconfig.json`]);
    assert.equal(res.code, 0, res.stdout + res.stderr);
  });

  test('the README quick start type-checks as written', async () => {
    const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const quickStart = blocks.find((b) => b.includes('new Fitroom()'));
    assert.ok(quickStart, 'no quick start block in the README');
    const dir = mkdtempSync(join(tmpdir(), 'sdk-readme-'));
    try {
      // .mts: an ES module wherever it lives, so the snippet's top-level await is legal as in a real ESM app.
      writeFileSync(join(dir, 'quick-start.mts'), quickStart);
      const sdkRoot = fileURLToPath(new URL('../', import.meta.url));
      const base = fileURLToPath(new URL('../../../tsconfig.base.json', import.meta.url));
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({
          extends: base,
          compilerOptions: {
            noEmit: true,
            composite: false,
            incremental: false,
            declaration: false,
            declarationMap: false,
            types: ['node'],
            typeRoots: [fileURLToPath(new URL('../../../node_modules/@types', import.meta.url))],
            paths: { '@fitroom/sdk': [join(sdkRoot, 'src/index.ts')] },
          },
          files: ['quick-start.mts'],
        }),
      );
      const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
      const res = await run(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')]);
      assert.equal(res.code, 0, res.stdout + res.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('recommended-flow runs: upload, try-on 404, upsert with the image file, retry, waitFor, credits', async () => {
    let tryOns = 0;
    let polls = 0;
    const s = await api((req, res) => {
      const path = req.url.split('?')[0];
      if (path === '/tryon/v1/images/upload') sendJson(res, 200, { imageId: 'img_1', imageUrl: 'http://x/i' });
      else if (path === '/tryon/v1/try-on') {
        tryOns++;
        if (tryOns === 1) sendError(res, 404, 'PRODUCT_NOT_FOUND');
        else sendJson(res, 200, { generationId: 'gen_1', status: 'PENDING', productExternalId: 'demo-tee-01-mock' });
      } else if (path === '/tryon/v1/products') sendJson(res, 200, {});
      else if (path === '/tryon/v1/generations/gen_1') {
        polls++;
        sendJson(res, 200, polls < 2 ? GEN('PROCESSING') : GEN('COMPLETED', { resultImageUrl: 'http://x/result.jpg' }));
      } else if (path === '/tryon/v1/account/credits') sendJson(res, 200, { creditBalance: 41 });
      else sendError(res, 404, 'NOT_FOUND');
    });
    const res = await runExample({ FITROOM_API_KEY: 'gk_example', FITROOM_BASE_URL: s.baseUrl }, '--mock');
    assert.equal(res.code, 0, res.stdout + res.stderr);
    assert.match(res.stdout, /result: http:\/\/x\/result\.jpg/);
    assert.match(res.stdout, /credits left: 41/);
    assert.deepEqual(
      s.requests.map((r) => `${r.method} ${r.url}`),
      [
        'POST /tryon/v1/images/upload',
        'POST /tryon/v1/try-on',
        'POST /tryon/v1/products',
        'POST /tryon/v1/try-on',
        'GET /tryon/v1/generations/gen_1',
        'GET /tryon/v1/generations/gen_1',
        'GET /tryon/v1/account/credits',
      ],
    );
    const upsert = await parseForm(s.requests[2]!);
    assert.deepEqual(JSON.parse(upsert.get('data') as string), {
      externalId: 'demo-tee-01-mock',
      title: 'mock',
      description: 'Soft cotton, regular fit',
      images: [{ source: { fileKey: 'front' } }],
    });
    const front = upsert.get('front') as File;
    assert.equal(front.type, 'image/jpeg');
    assert.ok(front.size > 1000, 'the product image file was not sent');
  });
});
