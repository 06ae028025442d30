/**
 * Prometheus metrics of one process (`GET /metrics`, text format): requests per route and status with their latency,
 * engine calls with their time, generations by status and engine (PENDING is the work waiting for a worker), webhook
 * deliveries by status, and Node's own process figures (CPU, memory, event-loop delay, GC).
 *
 * Routes are labelled by their template (`/tryon/v1/generations/:id`), never by the raw URL, so the number of series
 * stays fixed whatever clients send. Generations are counted by one grouped query when Prometheus scrapes, not kept
 * in step by every state change: any process on the database sees the same figures.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from './db/database.js';

/** Route label of requests no route matched (404s, bad URLs): one series for all of them. */
export const UNMATCHED_ROUTE = 'unmatched';

export interface Metrics {
  registry: Registry;
  /** One answered HTTP request (Fastify's routes and the polling fast path). */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** One try-on engine call, finished or thrown. */
  observeEngine(engine: string, outcome: 'ok' | 'error', seconds: number): void;
}

/** Latency buckets from 1 ms (a poll) to 2 min (a held /try-on/sync). */
const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** Engine time from 100 ms (mock, external fast paths) to 3 min. */
const ENGINE_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120, 180];

export function createMetrics(db: Db): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'fitroom_' });
  const requests = new Counter({
    name: 'fitroom_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'fitroom_http_request_duration_seconds',
    help: 'Time from request to response, by method and route template.',
    labelNames: ['method', 'route'] as const,
    buckets: REQUEST_BUCKETS,
    registers: [registry],
  });
  const engineTime = new Histogram({
    name: 'fitroom_engine_duration_seconds',
    help: 'Try-on engine calls, by engine and outcome (ok, error).',
    labelNames: ['engine', 'outcome'] as const,
    buckets: ENGINE_BUCKETS,
    registers: [registry],
  });
  new Gauge({
    name: 'fitroom_generations',
    help: 'Generations in the database, by status and engine (PENDING: waiting for a worker).',
    labelNames: ['status', 'engine'] as const,
    registers: [registry],
    async collect() {
      const rows = await db
        .selectFrom('generations')
        .select(['status', 'engine', (eb) => eb.fn.countAll<string | number>().as('n')])
        .groupBy(['status', 'engine'])
        .execute();
      this.reset();
      for (const row of rows) this.set({ status: row.status, engine: row.engine }, Number(row.n));
    },
  });
  new Gauge({
    name: 'fitroom_webhook_deliveries',
    help: 'Webhook deliveries in the log, by status (pending: still being retried; failed: given up after an hour).',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const rows = await db
        .selectFrom('webhook_deliveries')
        .select(['status', (eb) => eb.fn.countAll<string | number>().as('n')])
        .groupBy('status')
        .execute();
      this.reset();
      for (const row of rows) this.set({ status: row.status }, Number(row.n));
    },
  });
  return {
    registry,
    observeRequest(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      latency.observe({ method, route }, seconds);
    },
    observeEngine(engine, outcome, seconds) {
      engineTime.observe({ engine, outcome }, seconds);
    },
  };
}
