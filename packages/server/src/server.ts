/** Starts fitroom: dependencies, the HTTP API and (from the try-on flow on) the workers, with graceful shutdown. */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { createDeps, type Deps, type DepsOverrides } from './deps.js';
import { buildApp } from './http/app.js';
import { systemRoutes } from './http/system-routes.js';
import { routes } from './routes/index.js';

export interface RunningServer {
  app: FastifyInstance;
  deps: Deps;
  /** Base URL of the API, ending in /tryon/v1. */
  url: string;
  close(): Promise<void>;
}

export interface StartOptions extends DepsOverrides {
  logger?: boolean;
  /** Called once when a new data directory gets its demo account. */
  onDemoAccount?: (account: { id: string; apiKey: string; credits: number }) => void;
}

/** On the first start with an empty data directory, create a `demo` account so a newcomer can call the API at once. */
async function ensureDemoAccount(deps: Deps, onDemo?: StartOptions['onDemoAccount']) {
  const any = await deps.db.selectFrom('accounts').select('id').limit(1).executeTakeFirst();
  if (any) return;
  const created = await deps.accounts.create({ name: 'demo', credits: deps.config.demoCredits });
  onDemo?.({ id: created.id, apiKey: created.apiKey, credits: created.creditBalance });
}

export async function createServer(config: Readonly<Config>, options: StartOptions = {}): Promise<RunningServer> {
  const deps = await createDeps(config, options);
  const app = await buildApp(deps, { routes, plugins: [systemRoutes], logger: options.logger });
  await ensureDemoAccount(deps, options.onDemoAccount);
  let closed = false;
  return {
    app,
    deps,
    url: `${config.publicUrl}/tryon/v1`,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await deps.close();
    },
  };
}

export async function startServer(config: Readonly<Config>, options: StartOptions = {}): Promise<RunningServer> {
  const server = await createServer(config, options);
  await server.app.listen({ port: config.port, host: config.host });
  return server;
}
