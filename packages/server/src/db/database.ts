/** The Database port: a Kysely instance over SQLite (embedded) or PostgreSQL (scale-out, `DATABASE_URL`). */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  type SqliteDialectConfig,
  type Transaction,
  type TransactionSettings,
} from 'kysely';
import pg from 'pg';
import type { Config } from '../config.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Either the database or an open transaction: repositories take this so services decide the transaction scope. */
export type DbOrTx = Db | Tx;

/** The SQLite database of a data directory (the server's and the CLI's). */
export const sqliteFile = (config: Pick<Config, 'dataDir'>) => join(config.dataDir, 'fitroom.sqlite');

/**
 * The deployment's database, unmigrated: PostgreSQL when DATABASE_URL is set, else DATA_DIR's SQLite file. The server,
 * the CLI and every other process on the deployment's data open it this way.
 */
export const openDatabase = (config: Pick<Config, 'dataDir' | 'databaseUrl'>): Db =>
  config.databaseUrl ? openPostgres(config.databaseUrl) : openSqlite(sqliteFile(config));

export function openSqlite(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  // WAL lets the CLI read and write while the server runs; busy_timeout makes a second writer wait instead of failing.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  const cached = withStatementCache(sqlite);
  const listeners = new Set<StatementListener>();
  const dialect = new FifoSqliteDialect({ database: cached }, (query) => {
    for (const listener of listeners) listener(query);
  });
  const db = new Kysely<Database>({ dialect });
  statementListeners.set(db, listeners);
  // The direct reads' own statements (a fixed handful of SQL texts: prepared.ts's hot queries), apart from Kysely's:
  // they return rows as arrays (see rowReader).
  const readers = new Map<string, (params: readonly unknown[]) => unknown[]>();
  directReaders.set(db, (sql, params) => {
    // Only while no query or transaction holds the connection: better-sqlite3 is synchronous, so the read runs to
    // completion before anything else can use the connection, and it can never see another request's open
    // transaction. Otherwise the caller takes the normal (queued) path.
    if (!dialect.driver || dialect.driver.busy) return undefined;
    let read = readers.get(sql);
    if (!read) {
      read = rowReader(sqlite.prepare(sql));
      readers.set(sql, read);
    }
    return read(params);
  });
  return db;
}

/**
 * Runs a read statement and returns its rows as objects keyed by column name, as better-sqlite3 returns them by
 * default, built faster: better-sqlite3 builds each row by setting one property after another from the column names
 * (each name made a V8 string again, each property a hidden-class transition): 40% of the read's CPU on
 * GET /generations/:id (perf, under polling load). Here the rows come back as arrays and one generated function
 * per statement turns each into an object literal with the columns in order. Same keys, same values, same order; a
 * name repeated by a join keeps its last value, as better-sqlite3 does.
 */
function rowReader(stmt: SQLite.Statement): (params: readonly unknown[]) => unknown[] {
  stmt.raw(true);
  let width = -1;
  let toObject: (values: unknown[]) => unknown = () => undefined;
  return (params) => {
    const rows = stmt.all(...params) as unknown[][];
    if (rows.length === 0) return rows;
    // The columns are read when the statement first returns a row, and again if their number changes (the statement
    // is recompiled after a schema change).
    if (rows[0]!.length !== width) {
      const names = stmt.columns().map((c) => c.name);
      width = names.length;
      // The names enter the code as JSON string literals: nothing in them is evaluated.
      toObject = new Function('v', `return {${names.map((n, i) => `${JSON.stringify(n)}: v[${i}]`).join(', ')}};`) as (
        values: unknown[],
      ) => unknown;
    }
    return rows.map(toObject);
  };
}

/**
 * PostgreSQL, for the scale-out deployment (`DATABASE_URL`): a pool of connections, the same migrations and queries.
 */
export function openPostgres(connectionString: string, maxConnections = 10): Db {
  const pool = new pg.Pool({ connectionString, max: maxConnections });
  // An idle pooled connection that the server drops (a restart, a failover) emits 'error' on the pool, which would
  // crash the process unhandled. The pool has already discarded that connection; the next query opens a new one.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  postgresDatabases.add(db);
  return db;
}

const postgresDatabases = new WeakSet<object>();

/**
 * Whether a database is PostgreSQL: the few statements that differ between the dialects (the job queue's row locks)
 * ask this instead of being told separately.
 */
export const isPostgres = (db: Kysely<Database>): boolean => postgresDatabases.has(db);

type StatementListener = (query: CompiledQuery) => void;
const statementListeners = new WeakMap<object, Set<StatementListener>>();

/**
 * Calls `listener` with each statement run on the embedded SQLite database's connection, Kysely's and raw ones alike,
 * transactions included, right after it ran and while the statement's caller still holds the connection (so no
 * other query of the process, and no direct read, runs in between); a statement that failed may be reported too.
 * Every write of this process goes through that one connection: the cache of polled generation rows learns of them
 * here (generation-writes.ts). False, and nothing registered, for another database (PostgreSQL). A listener must not
 * throw (the statement's caller would get its error).
 */
export function onStatement(db: Db, listener: StatementListener): boolean {
  const listeners = statementListeners.get(db);
  listeners?.add(listener);
  return listeners !== undefined;
}

type DirectReader = (sql: string, params: readonly unknown[]) => unknown[] | undefined;
const directReaders = new WeakMap<object, DirectReader>();

/**
 * A synchronous read path for hot point queries (see prepared.ts), available on the embedded SQLite database when the
 * connection is idle; undefined for other databases (PostgreSQL always goes through Kysely).
 */
export const directReaderOf = (db: DbOrTx): DirectReader | undefined => directReaders.get(db);

/**
 * SQLite has one connection, so Kysely's driver serialises every query behind a mutex. Its mutex wakes *every* waiter
 * on each release (they all re-check and re-wait): with 64 requests in flight that is thousands of wasted promise
 * resumptions per query, and it dominated the CPU profile of a polling endpoint. This driver puts a FIFO queue in
 * front: each release hands the connection to exactly one waiter, in arrival order.
 */
class FifoSqliteDialect extends SqliteDialect {
  driver: FifoDriver | undefined;
  constructor(
    config: SqliteDialectConfig,
    private readonly ran: StatementListener,
  ) {
    super(config);
  }
  override createDriver(): Driver {
    this.driver = new FifoDriver(super.createDriver(), this.ran);
    return this.driver;
  }
}

/** The connection, reporting each statement once it ran (see onStatement). */
function reporting(connection: DatabaseConnection, ran: StatementListener): DatabaseConnection {
  return {
    executeQuery(query) {
      // better-sqlite3 runs the statement within this call (the promise is already settled); a statement that threw
      // changed nothing.
      const result = connection.executeQuery(query);
      ran(query);
      return result as never;
    },
    streamQuery: (query, chunkSize) => connection.streamQuery(query, chunkSize),
  };
}

class FifoDriver implements Driver {
  private held = false;
  /** True while a query or transaction holds the connection. */
  get busy(): boolean {
    return this.held;
  }
  private readonly waiting: Array<() => void> = [];

  /** SQLite's one connection, as `reporting` wraps it. */
  private connection: { inner: DatabaseConnection; reporting: DatabaseConnection } | undefined;

  constructor(
    private readonly inner: Driver,
    private readonly ran: StatementListener,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.held) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.held = true;
    const inner = await this.inner.acquireConnection();
    if (this.connection?.inner !== inner) this.connection = { inner, reporting: reporting(inner, this.ran) };
    return this.connection.reporting;
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await this.inner.releaseConnection(connection);
    const next = this.waiting.shift();
    // Hand over directly (held stays true), so no newcomer can overtake the queue.
    if (next) next();
    else this.held = false;
  }

  /**
   * BEGIN IMMEDIATE instead of Kysely's plain (deferred) BEGIN. A deferred transaction that reads first (an inline
   * try-on reads its product, then writes) holds a WAL snapshot; if another connection (the CLI, a second server)
   * commits before its first write, SQLite cannot upgrade it and answers SQLITE_BUSY at once — busy_timeout does not
   * apply — and the request failed with a 500. Taking the write lock at BEGIN waits under busy_timeout instead and
   * starts from the latest commit. It costs nothing inside this process (its one connection runs one transaction at a
   * time anyway); another process's writes wait for the transaction's few milliseconds.
   */
  async beginTransaction(connection: DatabaseConnection, _settings: TransactionSettings): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(connection);
  }
  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(connection);
  }
  savepoint(connection: DatabaseConnection, name: string, compile: (node: never, id: never) => CompiledQuery) {
    return this.inner.savepoint!(connection, name, compile as never);
  }
  rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: (node: never, id: never) => CompiledQuery,
  ) {
    return this.inner.rollbackToSavepoint!(connection, name, compile as never);
  }
  releaseSavepoint(connection: DatabaseConnection, name: string, compile: (node: never, id: never) => CompiledQuery) {
    return this.inner.releaseSavepoint!(connection, name, compile as never);
  }
  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

/**
 * Kysely's SQLite driver prepares every statement anew; preparing costs more than running a point query (measured:
 * it was the largest item in a profile of GET /generations/:id). Queries built by Kysely have a small, fixed set of
 * SQL texts with bound parameters, so prepared statements are kept and reused by their SQL text.
 */
function withStatementCache(sqlite: SQLite.Database) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (!stmt) {
        stmt = sqlite.prepare(sql);
        // A bound on the cache: dynamic SQL (IN lists of varying length) must not grow it without limit.
        if (cache.size >= 1000) cache.delete(cache.keys().next().value!);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}
