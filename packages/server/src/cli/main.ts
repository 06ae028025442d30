/**
 * The `fitroom` command: `serve`, and the admin commands that work on the same database as a running server: DATA_DIR's
 * SQLite file (WAL mode with a busy timeout lets both write safely), or DATABASE_URL's PostgreSQL.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type Config, ConfigError, parseConfig } from '../config.js';
import { ENGINE_NAMES, HOSTED_ENGINES } from '../config-engines.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrations.js';
import { createDeps, type Deps } from '../deps.js';
import { ApiError } from '../errors.js';
import { SERVER_ROLES, type ServerRole, startServer } from '../server.js';
import { missingForEngine } from '../services/engine-choice.js';
import { MAX_OUTFIT_ITEMS } from '../services/try-on-input.js';

const HELP = `fitroom — self-hostable virtual try-on API (Genlook v1 compatible)

Usage:
  fitroom serve [--role api|worker|all]                 start the API and the workers on PORT (default 8080);
                                                        api: the API only, worker: try-ons and sweeps only
  fitroom accounts create --name N [--credits C] [--rate-limit R]
  fitroom accounts list
  fitroom accounts set --account ID [--engine composite|mock|external|fashn|oip|replicate|default]
                       [--rate-limit R|default] [--retention-days 1|3|7] [--engine-checks strict|lenient|default]
                       [--identity-pass on|off|default]   (hosted engines: the person's pixels kept outside the garment)
                       [--outfit-items N]                 (products one try-on may dress together; 1: Genlook's one)
                       [--webhook-url URL]                (empty: clears; the first URL creates the signing secret)
  fitroom accounts set-logo --account ID --file logo.png   (watermark; --clear removes it)
  fitroom credits add --account ID --amount N [--reason TEXT]
  fitroom keys create --account ID
  fitroom keys revoke --key-id ID
  fitroom webhooks list [--account ID] [--event evt_…] [--limit N]   deliveries, newest first, with their attempts
  fitroom webhooks redeliver --event evt_…               send an event again (same event id)
  fitroom webhooks rotate-secret --account ID            a new signing secret, printed once
  fitroom migrate                                       bring the database (DATABASE_URL, else DATA_DIR's) up to date
  fitroom mcp [--http [--port 8081] [--host 127.0.0.1]]  the MCP server (stdio, or Streamable HTTP at /mcp) for AI
                                                        clients; FITROOM_API_KEY, FITROOM_BASE_URL: see docs/mcp.md

Configuration comes from the environment (PORT, HOST, DATA_DIR, DATABASE_URL, PUBLIC_URL, …): see the README.
Admin commands print one JSON object as their last line.`;

class UsageError extends Error {}
/** A request the CLI understood but cannot carry out (a file it cannot read, a setting this server cannot honour). */
class InputError extends Error {}

const out = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

function need(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

function intOption(values: Record<string, unknown>, name: string, opts: { min?: number } = {}): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || (opts.min !== undefined && n < opts.min)) {
    throw new UsageError(`--${name} must be an integer${opts.min !== undefined ? ` ≥ ${opts.min}` : ''}`);
  }
  return n;
}

/**
 * Every try-on of an account set to an engine this server does not run would fail (ENGINE_FAILED, refunded): refuse
 * the setting instead. The CLI reads the same environment as the server it serves (same DATA_DIR, same variables).
 */
function refuseUnavailableEngine(engine: string, config: Readonly<Config>): void {
  const missing = missingForEngine(engine, config);
  if (!missing) return;
  // The variables an engine needs are read here as the server reads them: both must have them.
  const fix = (HOSTED_ENGINES as readonly string[]).includes(engine)
    ? ' Set them for the server and for this command, then run this again.'
    : '';
  throw new InputError(`--engine ${engine} ${missing}.${fix}`);
}

/** A file named on the command line, or one clear line saying why it cannot be read. */
function readInputFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : String(code ?? err);
    throw new InputError(`cannot read ${path}: ${why}`);
  }
}

async function withDeps<T>(fn: (deps: Deps) => Promise<T>): Promise<T> {
  const deps = await createDeps(parseConfig(process.env));
  try {
    return await fn(deps);
  } finally {
    await deps.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const [cmd, sub, ...rest] = argv;
  const parse = (args: string[]) =>
    parseArgs({
      args,
      allowPositionals: false,
      options: {
        name: { type: 'string' },
        credits: { type: 'string' },
        'rate-limit': { type: 'string' },
        account: { type: 'string' },
        amount: { type: 'string' },
        reason: { type: 'string' },
        'key-id': { type: 'string' },
        file: { type: 'string' },
        clear: { type: 'boolean' },
        engine: { type: 'string' },
        'engine-checks': { type: 'string' },
        'identity-pass': { type: 'string' },
        'outfit-items': { type: 'string' },
        'retention-days': { type: 'string' },
        role: { type: 'string' },
        'webhook-url': { type: 'string' },
        event: { type: 'string' },
        limit: { type: 'string' },
      },
    }).values;

  switch (cmd) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(HELP);
      return 0;
    case 'serve': {
      const role = (parse(sub === undefined ? [] : [sub, ...rest]).role ?? 'all') as ServerRole;
      if (!SERVER_ROLES.includes(role)) throw new UsageError(`--role must be one of ${SERVER_ROLES.join(', ')}`);
      const config = parseConfig(process.env);
      const server = await startServer(config, {
        role,
        onDemoAccount: ({ id, apiKey, credits }) => {
          console.log(
            `\nCreated the demo account ${id} with ${credits} credits. Its API key (shown once, keep it):\n\n  ${apiKey}\n\n` +
              `Try: curl -H "x-api-key: ${apiKey}" ${config.publicUrl}/tryon/v1/account/credits\n`,
          );
        },
        onAdminToken: ({ generatedToken, file }) => {
          if (!generatedToken) return;
          console.log(
            `\nCreated the admin token (kept in ${file}). It signs in to the dashboard at ` +
              `${config.publicUrl}/dashboard and authenticates the admin API:\n\n  ${generatedToken}\n`,
          );
        },
      });
      console.log(
        role === 'worker'
          ? `fitroom worker ready: try-ons from the queue, health probes on ${config.host}:${config.port}`
          : `fitroom listening on ${config.host}:${config.port} — API at ${server.url}, docs at ${server.url}/docs`,
      );
      const stop = async (signal: string) => {
        console.log(`${signal}: shutting down`);
        await server.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
      return -1; // keep running
    }
    case 'mcp': {
      // Loaded here: the MCP server is a client of the API and needs none of the server's start-up.
      const { runMcp, McpUsageError } = await import('../mcp/cli.js');
      try {
        await runMcp(argv.slice(1), process.env);
      } catch (err) {
        throw err instanceof McpUsageError ? new UsageError(err.message) : err;
      }
      return -1; // keep running: it serves until its client (stdio) or a signal (HTTP) ends it
    }
    case 'migrate': {
      // Not through createDeps: it migrates on opening, which would leave nothing for this command to report.
      const db = openDatabase(parseConfig(process.env));
      try {
        out({ applied: await migrateToLatest(db as never) });
      } finally {
        await db.destroy();
      }
      return 0;
    }
    case 'accounts': {
      const values = parse(rest);
      if (sub === 'create') {
        const created = await withDeps((d) =>
          d.accounts.create({
            name: need(values, 'name'),
            credits: intOption(values, 'credits', { min: 0 }) ?? 0,
            rateLimitPerMin: intOption(values, 'rate-limit', { min: 1 }) ?? null,
          }),
        );
        out(created);
        return 0;
      }
      if (sub === 'list') {
        const rows = await withDeps((d) => d.accounts.list());
        out(
          rows.map((r) => ({
            id: r.id,
            name: r.name,
            creditBalance: r.credit_balance,
            rateLimitPerMin: r.rate_limit_per_min,
            retentionDays: r.retention_days,
            // The overrides set with `accounts set` (null: the deployment's ENGINE / ENGINE_CHECKS).
            engine: r.engine,
            engineChecks: r.engine_checks,
            identityPass: r.identity_pass,
            maxOutfitItems: r.max_outfit_items,
            webhookUrl: r.webhook_url,
            activeKeys: r.active_keys,
            hasLogo: r.logo_blob_key !== null,
            createdAt: r.created_at,
          })),
        );
        return 0;
      }
      if (sub === 'set') {
        const accountId = need(values, 'account');
        const patch: Parameters<Deps['accounts']['update']>[1] = {};
        if (values.engine !== undefined) {
          if (![...ENGINE_NAMES, 'default'].includes(String(values.engine))) {
            throw new UsageError(`--engine must be ${ENGINE_NAMES.join(', ')} or default`);
          }
          refuseUnavailableEngine(String(values.engine), parseConfig(process.env));
          patch.engine = values.engine === 'default' ? null : String(values.engine);
        }
        if (values['engine-checks'] !== undefined) {
          if (!['strict', 'lenient', 'default'].includes(String(values['engine-checks']))) {
            throw new UsageError('--engine-checks must be strict, lenient or default');
          }
          patch.engineChecks = values['engine-checks'] === 'default' ? null : String(values['engine-checks']);
        }
        if (values['identity-pass'] !== undefined) {
          if (!['on', 'off', 'default'].includes(String(values['identity-pass']))) {
            throw new UsageError('--identity-pass must be on, off or default');
          }
          patch.identityPass = values['identity-pass'] === 'default' ? null : String(values['identity-pass']);
        }
        if (values['outfit-items'] !== undefined) {
          const n = intOption(values, 'outfit-items', { min: 1 })!;
          if (n > MAX_OUTFIT_ITEMS) throw new UsageError(`--outfit-items must be at most ${MAX_OUTFIT_ITEMS}`);
          patch.maxOutfitItems = n;
        }
        if (values['rate-limit'] !== undefined) {
          patch.rateLimitPerMin =
            values['rate-limit'] === 'default' ? null : intOption(values, 'rate-limit', { min: 1 });
        }
        if (values['retention-days'] !== undefined) {
          const days = intOption(values, 'retention-days');
          if (![1, 3, 7].includes(days!)) throw new UsageError('--retention-days must be 1, 3 or 7');
          patch.retentionDays = days;
        }
        const webhookUrl = values['webhook-url'];
        if (Object.keys(patch).length === 0 && webhookUrl === undefined) throw new UsageError('nothing to set');
        let webhook: { webhookUrl: string | null; secret?: string } | undefined;
        const account = await withDeps(async (d) => {
          if (Object.keys(patch).length > 0) await d.accounts.update(accountId, patch);
          if (webhookUrl !== undefined) webhook = await d.webhooks.setEndpoint(accountId, webhookUrl || null);
          return d.accounts.require(accountId);
        });
        out({
          // The signing secret appears here once, when the first URL creates it (like an API key at creation).
          ...(webhook ? { webhookUrl: webhook.webhookUrl } : {}),
          ...(webhook?.secret ? { webhookSecret: webhook.secret } : {}),
          id: account.id,
          engine: account.engine,
          engineChecks: account.engine_checks,
          identityPass: account.identity_pass,
          maxOutfitItems: account.max_outfit_items,
          rateLimitPerMin: account.rate_limit_per_min,
          retentionDays: account.retention_days,
        });
        return 0;
      }
      if (sub === 'set-logo') {
        const accountId = need(values, 'account');
        const result = await withDeps(async (d) => {
          const { clearAccountLogo, setAccountLogo } = await import('../services/logo.js');
          if (values.clear) {
            // The file goes too (clearing only the key left it behind); the admin API's DELETE …/logo does the same.
            await clearAccountLogo(d, accountId);
            return { account: accountId, logo: null };
          }
          return setAccountLogo(d, accountId, readInputFile(need(values, 'file')));
        });
        out(result);
        return 0;
      }
      throw new UsageError(`unknown command: accounts ${sub ?? ''}`);
    }
    case 'credits': {
      const values = parse(rest);
      if (sub !== 'add') throw new UsageError(`unknown command: credits ${sub ?? ''}`);
      const accountId = need(values, 'account');
      const amount = intOption(values, 'amount');
      if (amount === undefined || amount === 0) throw new UsageError('--amount must be a non-zero integer');
      const balance = await withDeps(async (d) => {
        await d.accounts.require(accountId);
        return d.credits.grant(
          d.db,
          accountId,
          amount,
          amount > 0 ? 'top_up' : 'adjustment',
          String(values.reason ?? 'cli'),
        );
      });
      out({ account: accountId, creditBalance: balance });
      return 0;
    }
    case 'keys': {
      const values = parse(rest);
      if (sub === 'create') {
        const accountId = need(values, 'account');
        const key = await withDeps((d) => d.accounts.createKey(accountId));
        out({ account: accountId, keyId: key.id, apiKey: key.apiKey });
        return 0;
      }
      if (sub === 'revoke') {
        const keyId = need(values, 'key-id');
        const revoked = await withDeps((d) => d.accounts.revokeKey(keyId));
        if (!revoked) throw new UsageError(`no active key ${keyId}`);
        out({ keyId, revoked: true });
        return 0;
      }
      throw new UsageError(`unknown command: keys ${sub ?? ''}`);
    }
    case 'webhooks': {
      const values = parse(rest);
      if (sub === 'list') {
        const limit = intOption(values, 'limit', { min: 1 });
        const filter = {
          ...(values.account ? { accountId: String(values.account) } : {}),
          ...(values.event ? { eventId: String(values.event) } : {}),
          ...(limit ? { limit } : {}),
        };
        out(await withDeps((d) => d.webhooks.list(filter)));
        return 0;
      }
      if (sub === 'redeliver') {
        const eventId = need(values, 'event');
        out(await withDeps((d) => d.webhooks.redeliver(eventId)));
        return 0;
      }
      if (sub === 'rotate-secret') {
        const accountId = need(values, 'account');
        const secret = await withDeps((d) => d.webhooks.rotateSecret(accountId));
        out({ account: accountId, webhookSecret: secret });
        return 0;
      }
      throw new UsageError(`unknown command: webhooks ${sub ?? ''}`);
    }
    default:
      throw new UsageError(`unknown command: ${cmd}`);
  }
}

/** Errors of connecting to DATABASE_URL's server; what they mean is said in one line instead of a stack trace. */
const CONNECT_ERRNOS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET']);
/** PostgreSQL's codes for a database that does not exist and for refused credentials. */
const CONNECT_SQLSTATES = new Set(['3D000', '28000', '28P01']);

/** "cannot reach the database …" when `err` is a failure to connect to DATABASE_URL, else null. */
function databaseConnectFailure(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !(CONNECT_ERRNOS.has(code) || CONNECT_SQLSTATES.has(code))) return null;
  let where = 'DATABASE_URL';
  try {
    // Host, port and database name only: the URL may hold a password.
    const url = new URL(process.env.DATABASE_URL ?? '');
    where = `DATABASE_URL (${url.host}${url.pathname})`;
  } catch {}
  return `cannot use the database at ${where}: ${(err as Error).message}`;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err) => {
    if (err instanceof UsageError || err instanceof ConfigError) {
      console.error(`fitroom: ${err.message}\n\nRun \`fitroom help\` for usage.`);
      process.exitCode = 2;
    } else if (
      err instanceof InputError ||
      err instanceof ApiError ||
      (err instanceof Error && /unknown account|unknown key/.test(err.message))
    ) {
      console.error(`fitroom: ${err.message}`);
      process.exitCode = 1;
    } else if (databaseConnectFailure(err)) {
      console.error(`fitroom: ${databaseConnectFailure(err)}`);
      process.exitCode = 1;
    } else {
      console.error(err);
      process.exitCode = 1;
    }
  },
);
