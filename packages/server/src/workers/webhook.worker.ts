/**
 * Delivers webhook events: claims a webhook job, takes the delivery's next attempt (services/webhooks.service.ts),
 * builds the event from the generation as `GET /generations/:id` answers it now, signs it and POSTs it under the
 * SSRF rules of image downloads (net/safe-fetch.ts: private addresses refused unless ALLOW_PRIVATE_FETCH, no
 * redirects, a short time limit, at most 4 KB of the answer read), and logs the attempt.
 */
import type { FastifyBaseLogger } from 'fastify';
import { WEBHOOK_JOB, WEBHOOK_TIMEOUT_MS, type WebhookJobPayload } from '../jobs/webhook.job.js';
import { FetchError, safePost } from '../net/safe-fetch.js';
import { type Clock, systemClock } from '../ports/clock.js';
import type { JobQueue } from '../ports/job-queue.js';
import { thisProcessId } from '../process-identity.js';
import type { GenerationsService } from '../services/generations.service.js';
import {
  type AttemptOutcome,
  EVENT_ID_HEADER,
  EVENT_TYPE_HEADER,
  SIGNATURE_HEADER,
  signWebhook,
  type TakenAttempt,
  type WebhooksService,
} from '../services/webhooks.service.js';
import { claimLoop } from './claim-loop.js';

export interface WebhookWorkerDeps {
  queue: JobQueue;
  webhooks: WebhooksService;
  generations: GenerationsService;
  config: { allowPrivateFetch: boolean };
  logger: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;
  /**
   * The time in the signature. Receivers compare it with their own clock, so it is the real time, not the clock the
   * server's schedules run on (which tests move by hand).
   */
  wallClock?: Clock;
}

/** Deliveries in flight at once in one process: each mostly waits on a receiver (up to WEBHOOK_TIMEOUT_MS). */
export const WEBHOOK_CONCURRENCY = 4;
const MAX_RESPONSE_BYTES = 4096;
const LEASE_MS = WEBHOOK_TIMEOUT_MS * 6;

export class WebhookWorker {
  private readonly id = `${thisProcessId()}:wh${Math.random().toString(36).slice(2, 8)}`;
  private readonly stop = new AbortController();
  private loops: Promise<void>[] = [];

  constructor(
    private readonly deps: WebhookWorkerDeps,
    private readonly options: { concurrency?: number; idleWaitMs?: number } = {},
  ) {}

  start(): void {
    const n = this.options.concurrency ?? WEBHOOK_CONCURRENCY;
    for (let i = 0; i < n; i++) this.loops.push(this.loop(`${this.id}#${i}`));
  }

  /** Stops claiming and waits for attempts in flight (each ends within WEBHOOK_TIMEOUT_MS). */
  async close(): Promise<void> {
    this.stop.abort();
    await Promise.allSettled(this.loops);
  }

  private loop(workerId: string): Promise<void> {
    const { queue, logger } = this.deps;
    const options = {
      jobType: WEBHOOK_JOB,
      leaseMs: LEASE_MS,
      idleWaitMs: this.options.idleWaitMs ?? 5_000,
      signal: this.stop.signal,
      what: 'a webhook job',
    };
    return claimLoop(queue, logger, workerId, options, async (job) => {
      try {
        await this.deliver((job.payload as WebhookJobPayload).deliveryId);
        await queue.complete(job.id, workerId);
      } catch (err) {
        // The database failed us (the receiver's failures are logged attempts, not errors): look again shortly.
        logger.error({ err }, 'webhook job failed');
        await queue.fail(job.id, workerId, String((err as Error)?.message ?? err), 5_000).catch(() => undefined);
      }
    });
  }

  /** One attempt of the delivery, if one is due. Exposed for tests. */
  async deliver(deliveryId: string): Promise<void> {
    const { webhooks, logger } = this.deps;
    const taken = await webhooks.beginAttempt(deliveryId);
    if (!taken) return;
    const outcome = await this.send(taken);
    const status = await webhooks.finishAttempt(taken, outcome);
    const log = { deliveryId, eventId: taken.delivery.event_id, attempt: taken.attempt, ...outcome };
    if (status === 'failed') logger.warn(log, 'webhook delivery failed for good');
    else if (status === 'pending') logger.info(log, 'webhook attempt failed; retrying later');
  }

  private async send(taken: TakenAttempt): Promise<AttemptOutcome> {
    const { generations, config } = this.deps;
    const { delivery } = taken;
    const started = performance.now();
    const failed = (error: string, permanent: boolean, statusCode: number | null = null): AttemptOutcome => ({
      statusCode,
      error,
      durationMs: performance.now() - started,
      permanent,
    });
    if (!taken.secret) return failed('the account has no webhook signing secret', true);
    const generation = await generations.find(delivery.generation_id);
    if (!generation) return failed('the generation no longer exists', true);
    const body = JSON.stringify({
      id: delivery.event_id,
      type: delivery.event_type,
      createdAt: delivery.event_created_at,
      data: await generations.toApi(generation),
    });
    const timestampS = Math.floor((this.deps.wallClock ?? systemClock).now().getTime() / 1000);
    try {
      const res = await safePost(
        delivery.url,
        body,
        {
          'content-type': 'application/json',
          'user-agent': 'fitroom-webhooks/1',
          [EVENT_ID_HEADER]: delivery.event_id,
          [EVENT_TYPE_HEADER]: delivery.event_type,
          [SIGNATURE_HEADER]: signWebhook(taken.secret, timestampS, body),
        },
        { timeoutMs: WEBHOOK_TIMEOUT_MS, maxResponseBytes: MAX_RESPONSE_BYTES, allowPrivate: config.allowPrivateFetch },
      );
      const ok = res.status >= 200 && res.status < 300;
      return {
        statusCode: res.status,
        error: ok ? null : `HTTP ${res.status}`,
        durationMs: performance.now() - started,
        permanent: false,
      };
    } catch (err) {
      if (err instanceof FetchError) {
        return failed(err.message, err.reason === 'blocked' || err.reason === 'bad_url');
      }
      return failed(String((err as Error)?.message ?? err), false);
    }
  }
}
