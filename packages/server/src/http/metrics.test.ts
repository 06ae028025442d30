/**
 * GET /metrics (Prometheus text format): only with METRICS_TOKEN, only to a scraper that sends it; requests counted
 * per route template (the polling fast path's too), engine calls timed, generations counted by status and engine.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestContext, fixtureTryOn, postTryOn, type TestContext } from '../testing/test-server.js';

const TOKEN = 'metrics-token-for-the-tests';

describe('GET /metrics', () => {
  let ctx: TestContext;
  before(async () => {
    ctx = await createTestContext({ listen: true, env: { METRICS_TOKEN: TOKEN } });
  });
  after(() => ctx.close());

  const scrape = (authorization?: string) =>
    fetch(`${ctx.baseUrl.replace(/\/tryon\/v1$/, '')}/metrics`, {
      headers: authorization ? { authorization } : {},
    });

  test('refuses a scraper without the token, or with another, in the envelope', async () => {
    for (const auth of [undefined, 'Bearer wrong-token-of-other-length', `Bearer ${TOKEN.replace(/.$/, 'X')}`, TOKEN]) {
      const res = await scrape(auth);
      assert.equal(res.status, 401, String(auth));
      assert.equal(((await res.json()) as { code: string }).code, 'INVALID_API_KEY');
    }
  });

  test('counts requests by route template and status, polls through the fast path included, and times the engine', async () => {
    const [data, files] = fixtureTryOn({ title: 'mock' });
    const created = await postTryOn(ctx, data, files, { sync: true });
    assert.equal(created.statusCode, 200, created.body);
    const { generationId } = created.json() as { generationId: string };
    const poll = await fetch(`${ctx.baseUrl}/generations/${generationId}`, { headers: { 'x-api-key': ctx.apiKey } });
    assert.equal(poll.status, 200);
    await poll.arrayBuffer();
    assert.ok(ctx.app.pollFastPath.served >= 1, 'the poll went through the fast path');
    await (await fetch(`${ctx.baseUrl}/no-such-route/${generationId}`)).arrayBuffer();

    const res = await scrape(`Bearer ${TOKEN}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const value = (series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? null : Number(line.slice(series.length + 1));
    };
    const poll200 = 'fitroom_http_requests_total{method="GET",route="/tryon/v1/generations/:id",status="200"}';
    assert.ok((value(poll200) ?? 0) >= 1, poll200);
    assert.equal(value('fitroom_http_requests_total{method="GET",route="unmatched",status="404"}'), 1);
    assert.ok(value('fitroom_http_requests_total{method="POST",route="/tryon/v1/try-on/sync",status="200"}'));
    assert.ok(value('fitroom_http_request_duration_seconds_count{method="GET",route="/tryon/v1/generations/:id"}'));
    assert.equal(value('fitroom_engine_duration_seconds_count{engine="mock",outcome="ok"}'), 1);
    assert.equal(value('fitroom_generations{status="COMPLETED",engine="mock"}'), 1);
    assert.ok(text.includes('fitroom_process_cpu_seconds_total'), 'the process figures');
    // Raw URLs never become labels: the series stay fixed whatever ids clients send.
    assert.ok(!text.includes(generationId));
  });
});

test('GET /metrics does not exist without METRICS_TOKEN', async () => {
  const ctx = await createTestContext({ workers: false });
  try {
    const res = await ctx.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 404);
    assert.equal((res.json() as { code: string }).code, 'NOT_FOUND');
  } finally {
    await ctx.close();
  }
});
