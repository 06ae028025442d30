import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  GenerationFailedError,
  GenerationNotFoundError,
  GenerationTimeoutError,
  RequestAbortedError,
} from '../errors.js';
import { testClient as client, GEN, localApis, sendError, sendJson } from '../local-api.test.support.js';
import type { Generation } from '../types.js';

const api = localApis();

describe('generations.waitFor', () => {
  test('PENDING → PROCESSING → COMPLETED: resolves with the COMPLETED generation, onStatus once per change', async () => {
    const script = ['PENDING', 'PENDING', 'PROCESSING', 'PROCESSING', 'COMPLETED'];
    const s = await api((_req, res, i) =>
      sendJson(res, 200, GEN(script[i]!, script[i] === 'COMPLETED' ? { resultImageUrl: 'http://x/r.jpg' } : {})),
    );
    const seen: Generation[] = [];
    const done = await client(s.baseUrl).generations.waitFor('gen_1', {
      pollIntervalMs: 20,
      onStatus: (g) => seen.push(g),
    });
    assert.equal(done.status, 'COMPLETED');
    assert.equal(done.resultImageUrl, 'http://x/r.jpg');
    assert.deepEqual(
      seen.map((g) => g.status),
      ['PENDING', 'PROCESSING', 'COMPLETED'],
    );
    assert.equal(s.requests.length, 5);
    assert.ok(s.requests.every((r) => r.method === 'GET' && r.url === '/tryon/v1/generations/gen_1'));
  });

  test('polls at the given interval', async () => {
    const times: number[] = [];
    const s = await api((_req, res, i) => {
      times.push(Date.now());
      sendJson(res, 200, GEN(i < 3 ? 'PROCESSING' : 'COMPLETED'));
    });
    await client(s.baseUrl).generations.waitFor('gen_1', { pollIntervalMs: 150 });
    for (let i = 1; i < times.length; i++) {
      const gap = times[i]! - times[i - 1]!;
      assert.ok(gap >= 140, `gap ${gap} ms below the 150 ms interval`);
    }
  });

  test('FAILED → GenerationFailedError with errorCode, errorMessage and the generation', async () => {
    const s = await api((_req, res, i) =>
      sendJson(
        res,
        200,
        i === 0
          ? GEN('PROCESSING')
          : GEN('FAILED', { errorCode: 'PRODUCT_IMAGE_FETCH_FAILED', errorMessage: 'could not fetch' }),
      ),
    );
    const err = await client(s.baseUrl)
      .generations.waitFor('gen_1', { pollIntervalMs: 10 })
      .catch((e: unknown) => e);
    assert.ok(err instanceof GenerationFailedError);
    assert.equal(err.errorCode, 'PRODUCT_IMAGE_FETCH_FAILED');
    assert.equal(err.code, 'PRODUCT_IMAGE_FETCH_FAILED');
    assert.equal(err.errorMessage, 'could not fetch');
    assert.equal(err.generationId, 'gen_1');
    assert.equal(err.generation.status, 'FAILED');
  });

  test('FAILED without a typed errorCode → code GENERATION_FAILED', async () => {
    const s = await api((_req, res) => sendJson(res, 200, GEN('FAILED', { errorMessage: 'internal' })));
    const err = await client(s.baseUrl)
      .generations.waitFor('gen_1')
      .catch((e: unknown) => e);
    assert.ok(err instanceof GenerationFailedError);
    assert.equal(err.code, 'GENERATION_FAILED');
    assert.equal(err.errorCode, undefined);
  });

  test('never terminal → GenerationTimeoutError after timeoutMs, carrying the last status', async () => {
    const s = await api((_req, res) => sendJson(res, 200, GEN('PROCESSING')));
    const t0 = Date.now();
    const err = await client(s.baseUrl)
      .generations.waitFor('gen_1', { timeoutMs: 300, pollIntervalMs: 50 })
      .catch((e: unknown) => e);
    const elapsed = Date.now() - t0;
    assert.ok(err instanceof GenerationTimeoutError, String(err));
    assert.equal(err.lastStatus, 'PROCESSING');
    assert.equal(err.timeoutMs, 300);
    // Not before the deadline (an upper bound would be a timed assertion that fails on a loaded machine).
    assert.ok(elapsed >= 290, `gave up after ${elapsed} ms`);
    assert.ok(s.requests.length >= 3);
  });

  test('a poll hanging past the deadline is cut off with GenerationTimeoutError', async () => {
    const s = await api((_req, res) => {
      setTimeout(() => sendJson(res, 200, GEN('COMPLETED')), 3000);
    });
    // Waiting out the hanging poll would end in COMPLETED, not in a rejection: the rejection is the cut-off.
    await assert.rejects(client(s.baseUrl).generations.waitFor('gen_1', { timeoutMs: 200 }), GenerationTimeoutError);
  });

  test('abort via signal rejects with an AbortError-like error and stops polling', async () => {
    const s = await api((_req, res) => sendJson(res, 200, GEN('PROCESSING')));
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 120);
    const err = await client(s.baseUrl)
      .generations.waitFor('gen_1', { pollIntervalMs: 30, signal: ac.signal })
      .catch((e: unknown) => e);
    assert.ok(err instanceof RequestAbortedError);
    assert.equal(err.name, 'AbortError');
    // A poll sent just before the abort can reach the server after the rejection; let it land before counting.
    await new Promise((r) => setTimeout(r, 50));
    const n = s.requests.length;
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(s.requests.length, n, 'polling continued after abort');
  });

  test('an already aborted signal rejects without a request', async () => {
    const s = await api((_req, res) => sendJson(res, 200, GEN('PROCESSING')));
    await assert.rejects(
      client(s.baseUrl).generations.waitFor('gen_1', { signal: AbortSignal.abort() }),
      RequestAbortedError,
    );
    assert.equal(s.requests.length, 0);
  });

  test('an unknown generation → GenerationNotFoundError', async () => {
    const s = await api((_req, res) => sendError(res, 404, 'GENERATION_NOT_FOUND'));
    await assert.rejects(client(s.baseUrl).generations.waitFor('gen_x'), GenerationNotFoundError);
    assert.equal(s.requests.length, 1);
  });
});
