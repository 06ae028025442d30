/** The typed failures of providers' HTTP answers: their codes, and what of the provider's answer reaches a message. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EngineError } from '../engine.js';
import { httpFailure, readCapped, retryAfterMs } from './http.js';

const answer = (status: number, headers: Record<string, string> = {}) => new Response(null, { status, headers });

describe('httpFailure', () => {
  it('maps the status to a typed code, and keeps retry-after', () => {
    const cases: Array<[number, string, boolean]> = [
      [401, 'ENGINE_AUTH_FAILED', false],
      [403, 'ENGINE_AUTH_FAILED', false],
      [429, 'ENGINE_RATE_LIMITED', true],
      [504, 'ENGINE_TIMEOUT', true],
      [503, 'ENGINE_UNAVAILABLE', true],
      [400, 'ENGINE_FAILED', false],
    ];
    for (const [status, code, retryable] of cases) {
      const err = httpFailure('FASHN', answer(status));
      assert.deepEqual([err.code, err.retryable], [code, retryable], `HTTP ${status}`);
    }
    assert.equal(httpFailure('FASHN', answer(429, { 'retry-after': '7' })).retryAfterMs, 7000);
    assert.equal(
      httpFailure('FASHN', answer(429), 'OutOfCredits', 'ENGINE_QUOTA_EXCEEDED').code,
      'ENGINE_QUOTA_EXCEEDED',
    );
  });

  it("names the provider's error when it is a name, and drops free text that could carry a key", () => {
    assert.equal(
      httpFailure('FASHN', answer(429), 'OutOfCredits', 'ENGINE_QUOTA_EXCEEDED').message,
      'FASHN answered HTTP 429 (OutOfCredits): the FASHN account has no credits left.',
    );
    const echoed = httpFailure('FASHN', answer(401), 'Invalid API key fa-0123456789abcdef');
    assert.ok(!echoed.message.includes('fa-0123456789abcdef'), echoed.message);
    assert.equal(echoed.message, "FASHN answered HTTP 401: the server's API key for FASHN was refused.");
  });
});

describe('retryAfterMs', () => {
  it('reads delta-seconds and HTTP dates; nothing for an unreadable header', () => {
    const now = Date.parse('2026-12-07T12:00:00Z');
    assert.equal(retryAfterMs('2.5', now), 2500);
    assert.equal(retryAfterMs('Mon, 07 Dec 2026 12:00:30 GMT', now), 30_000);
    assert.equal(retryAfterMs('soon', now), undefined);
    assert.equal(retryAfterMs(null, now), undefined);
  });
});

describe("readCapped (a provider's result image)", () => {
  const streamed = (chunks: number, size: number) =>
    new Response(
      new ReadableStream({
        start(c) {
          for (let i = 0; i < chunks; i++) c.enqueue(new Uint8Array(size).fill(i));
          c.close();
        },
      }),
    );

  it('reads a body up to the cap, byte for byte', async () => {
    const bytes = await readCapped('Replicate', streamed(4, 1000), 4000);
    assert.equal(bytes.length, 4000);
    assert.equal(bytes[3999], 3);
  });

  it('refuses a body past the cap, streamed without a length or declared too large', async () => {
    const isTooLarge = (err: unknown) =>
      err instanceof EngineError && err.code === 'ENGINE_FAILED' && /larger than 3999 bytes/.test(err.message);
    await assert.rejects(readCapped('Replicate', streamed(4, 1000), 3999), isTooLarge);
    const declared = new Response('x', { headers: { 'content-length': '1000000' } });
    await assert.rejects(readCapped('Replicate', declared, 3999), isTooLarge);
  });
});
