/** Starts fitroom: dependencies, the HTTP API and (from the try-on flow on) the workers, with graceful shutdown. */

import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import type { TryOnEngine } from '@fitroom/engine';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { createDeps, type Deps, type DepsOverrides } from './deps.js';
import { createEngines, type Engines } from './engines.js';
import { adminApi } from './http/admin.js';
import { buildApp } from './http/app.js';
import { systemRoutes } from './http/system-routes.js';
import { requeuePendingTryOns } from './jobs/try-on.job.js';
import { asyncStdout, type LogOutput } from './logging.js';
import { createMetrics } from './metrics.js';
import { API_PREFIX } from './paths.js';
import { adminRoutes } from './routes/admin/index.js';
import { adminWebhookRoutes } from './routes/admin/webhook-routes.js';
import { routes } from './routes/index.js';
import { AdminAuth, resolveAdminToken } from './services/admin-auth.service.js';
import { TryOnWorker } from './workers/try-on.worker.js';
import { WebhookWorker } from './workers/webhook.worker.js';

export interface RunningServer {
  app: FastifyInstance;
  deps: Deps;
  worker: TryOnWorker | null;
  /** Base URL of the API, ending in /tryon/v1. */
  url: string;
  close(): Promise<void>;
}

/**
 * What a process does (`fitroom serve --role`): `api` answers the API and runs no try-ons, `worker` runs try-ons and
 * the sweeps and answers only the health probes (and /metrics), `all` (the default, the embedded deployment) both.
 */
export type ServerRole = 'api' | 'worker' | 'all';
export const SERVER_ROLES: readonly ServerRole[] = ['api', 'worker', 'all'];

export interface StartOptions extends DepsOverrides {
  /** Default `all`. */
  role?: ServerRole;
  /** false: no logger at all (tests). */
  logger?: boolean;
  /** Where the log lines go; default: asynchronous stdout, flushed by `close()`. */
  logOutput?: LogOutput;
  /** Start the vision worker threads (person crop, composite engine). Default: the VISION setting. */
  vision?: boolean;
  /** Run try-on workers and the retention sweeper in this process. Default: WORKER_CONCURRENCY > 0. */
  workers?: boolean;
  sweepIntervalMs?: number;
  extraEngines?: Map<string, TryOnEngine>;
  /** Called once when a new data directory gets its demo account. */
  onDemoAccount?: (account: { id: string; apiKey: string; credits: number }) => void;
  /**
   * Called at start by a process serving the API: the admin token when it was just made (shown once, like the demo
   * key), else null, and the file that keeps it (null when it comes from ADMIN_TOKEN).
   */
  onAdminToken?: (admin: { generatedToken: string | null; file: string | null }) => void;
}

/** On the first start with an empty data directory, create a `demo` account so a newcomer can call the API at once. */
async function ensureDemoAccount(deps: Deps, onDemo?: StartOptions['onDemoAccount']) {
  const any = await deps.db.selectFrom('accounts').select('id').limit(1).executeTakeFirst();
  if (any) return;
  const created = await deps.accounts.create({ name: 'demo', credits: deps.config.demoCredits });
  onDemo?.({ id: created.id, apiKey: created.apiKey, credits: created.creditBalance });
}

export async function createServer(config: Readonly<Config>, options: StartOptions = {}): Promise<RunningServer> {
  const role = options.role ?? 'all';
  if (role === 'worker' && config.workerConcurrency === 0) {
    throw new Error('--role worker with WORKER_CONCURRENCY=0 would run nothing: set WORKER_CONCURRENCY to 1 or more');
  }
  const engines: Engines = await createEngines(config, {
    vision: options.vision ?? config.vision,
    extra: options.extraEngines,
  });
  const deps = await createDeps(config, {
    ...options,
    cropper: options.cropper !== undefined ? options.cropper : engines.cropper,
  });
  const logOutput = options.logger === false ? null : (options.logOutput ?? asyncStdout());
  // Counted only where they can be read: the hooks cost every request a little (polling most of all).
  const metrics = config.metricsToken ? createMetrics(deps.db) : undefined;
  const serveApi = role !== 'worker';
  const admin = serveApi ? resolveAdminToken(config) : null;
  const app = await buildApp(deps, {
    routes: serveApi ? routes : [],
    plugins: [
      systemRoutes,
      ...(admin ? [adminApi(new AdminAuth(admin.token, deps.clock), [...adminRoutes, ...adminWebhookRoutes])] : []),
    ],
    logger: logOutput?.stream ?? false,
    metrics,
  });
  const sockets = openSockets(app.server);
  if (serveApi) await ensureDemoAccount(deps, options.onDemoAccount);
  if (admin) {
    options.onAdminToken?.({ generatedToken: admin.generated ? admin.token.reveal() : null, file: admin.file });
  }

  let worker: TryOnWorker | null = null;
  let webhookWorker: WebhookWorker | null = null;
  let sweeper: NodeJS.Timeout | null = null;
  if (role !== 'api' && (options.workers ?? true) && config.workerConcurrency > 0) {
    // A process killed while it ran try-ons (SIGKILL, OOM) left them PROCESSING under a lease; if it is provably dead,
    // they run again now instead of after JOB_LEASE_S. Before the workers start, so the first claims find them.
    const recovered = await deps.recoverAbandonedWork();
    if (recovered.jobs > 0) {
      app.log.warn(
        recovered,
        `took back ${recovered.jobs} try-on job(s) left running by a process that is no longer alive; they resume now`,
      );
    } else if (recovered.tempFiles > 0) {
      app.log.info(recovered, `removed ${recovered.tempFiles} unfinished file write(s) of a process no longer alive`);
    }
    worker = new TryOnWorker(
      { ...deps, engines: engines.registry, logger: app.log, metrics },
      { concurrency: config.workerConcurrency, leaseMs: config.jobLeaseS * 1000 },
    );
    worker.start();
    webhookWorker = new WebhookWorker({ ...deps, logger: app.log });
    webhookWorker.start();
    const sweepEveryMs = options.sweepIntervalMs ?? 60_000;
    const sweep = async () => {
      // Once per interval across the deployment: with Redis, the first worker to ask does it.
      if (!(await deps.takeTurn('sweep', sweepEveryMs).catch(() => false))) return;
      await deps.retention.sweep().catch((err) => app.log.error({ err }, 'retention sweep failed'));
      const requeued = await requeuePendingTryOns(deps.db, deps.queue, deps.clock).catch((err) => {
        app.log.error({ err }, 'requeueing PENDING try-ons failed');
        return 0;
      });
      if (requeued > 0)
        app.log.info({ requeued }, 'PENDING try-ons older than a minute enqueued again (keyed: no doubles)');
      // Webhook deliveries left without a job: BullMQ's lost after a commit (due for a minute), or a database queue's
      // buried after its worker's database calls kept failing (due for 15 minutes: a busy queue is not mistaken for it).
      const overdueMs = deps.queue.outsideTransactions ? 60_000 : 15 * 60_000;
      await deps.webhooks
        .requeueDue(overdueMs)
        .catch((err) => app.log.error({ err }, 'requeueing webhook deliveries failed'));
      // The delivery log keeps ended deliveries for WEBHOOK_LOG_DAYS.
      await deps.webhooks.prune().catch((err) => app.log.error({ err }, 'pruning the webhook delivery log failed'));
    };
    sweeper = setInterval(sweep, sweepEveryMs);
    sweeper.unref();
    void sweep();
  }

  let closed = false;
  return {
    app,
    deps,
    worker,
    url: `${config.publicUrl}${API_PREFIX}`,
    async close() {
      if (closed) return;
      closed = true;
      if (sweeper) clearInterval(sweeper);
      deps.beginShutdown(); // held /try-on/sync requests answer 202 now, so closing does not wait up to 90 s
      await closeWithin(app, sockets, CLOSE_GRACE_MS);
      await worker?.close();
      await webhookWorker?.close();
      await engines.close();
      await deps.close();
      await logOutput?.flush(); // last: every line logged until now is written before the process may exit
    },
  };
}

/** How long a closing server waits for requests in flight before it drops their connections. */
const CLOSE_GRACE_MS = 10_000;

/** Every socket the server holds, as long as it is open. */
function openSockets(server: HttpServer): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return sockets;
}

/**
 * `app.close()`, which waits until every socket is closed. A socket can stay open for ever: an early answer (a 413, a
 * refused key) to a client still sending its body leaves the socket paused with unread bytes after the server has
 * ended its side, so it never reads the client's FIN (seen after the fuzz test: FIN-WAIT-2 with 64 KB unread, and
 * close() hung). The HTTP server no longer counts it as a connection (`closeAllConnections` misses it), so the
 * sockets are tracked here and destroyed once the grace period is over.
 */
async function closeWithin(app: FastifyInstance, sockets: Set<Socket>, graceMs: number): Promise<void> {
  const force = setTimeout(() => {
    for (const socket of sockets) socket.destroy();
  }, graceMs);
  try {
    await app.close();
  } finally {
    clearTimeout(force);
  }
}

export async function startServer(config: Readonly<Config>, options: StartOptions = {}): Promise<RunningServer> {
  const server = await createServer(config, options);
  await listen(server.app, config);
  return server;
}

/**
 * `app.listen`, logging one "Server listening" line. Fastify logs a line per address, and on HOST=0.0.0.0 (the
 * default) one address per IPv4 network interface: "Server listening at http://127.0.0.1:8080", then again with the
 * machine's network address. Here Fastify's lines go to a silent logger while it listens, and one line names them all.
 */
async function listen(app: FastifyInstance, config: Readonly<Config>): Promise<void> {
  await app.ready(); // plugins' onReady hooks log through the real logger
  const log = app.log;
  const addresses: string[] = [];
  app.log = log.child({}, { level: 'silent' });
  try {
    await app.listen({
      port: config.port,
      host: config.host,
      listenTextResolver: (address) => {
        addresses.push(address);
        return address;
      },
    });
  } finally {
    app.log = log;
  }
  log.info({ addresses }, `Server listening at ${addresses.join(', ')}`);
}
