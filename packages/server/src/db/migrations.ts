/**
 * Schema migrations, written once for SQLite and PostgreSQL: only portable column types (text, integer, bigint),
 * no dialect-specific defaults; ids and timestamps are produced by the application.
 */
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';

const m0001: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('accounts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('credit_balance', 'integer', (c) => c.notNull().check(sql`credit_balance >= 0`))
      .addColumn('rate_limit_per_min', 'integer')
      .addColumn('retention_days', 'integer', (c) => c.notNull())
      .addColumn('logo_blob_key', 'text')
      .addColumn('engine', 'text')
      .addColumn('disabled_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('api_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('key_hash', 'text', (c) => c.notNull().unique())
      .addColumn('key_prefix', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .execute();

    await db.schema
      .createTable('credit_ledger')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('delta', 'integer', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('generation_id', 'text')
      .addColumn('note', 'text')
      .addColumn('balance_after', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    // A generation is debited at most once and refunded at most once, whatever retries or crashes happen.
    await db.schema
      .createIndex('credit_ledger_generation_reason')
      .on('credit_ledger')
      .columns(['generation_id', 'reason'])
      .unique()
      .execute();
    await db.schema
      .createIndex('credit_ledger_account')
      .on('credit_ledger')
      .columns(['account_id', 'created_at'])
      .execute();

    await db.schema
      .createTable('images')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('blob_key', 'text', (c) => c.notNull())
      .addColumn('content_type', 'text', (c) => c.notNull())
      .addColumn('width', 'integer', (c) => c.notNull())
      .addColumn('height', 'integer', (c) => c.notNull())
      .addColumn('external_user_id', 'text')
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('images_customer').on('images').columns(['account_id', 'external_user_id']).execute();
    await db.schema.createIndex('images_expiry').on('images').column('expires_at').execute();

    await db.schema
      .createTable('products')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('external_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('title', 'text')
      .addColumn('description', 'text')
      .addColumn('metadata', 'text')
      .addColumn('auto_detect_image_roles', 'integer', (c) => c.notNull())
      .addColumn('valid_for_days', 'integer')
      .addColumn('last_used_at', 'text')
      .addColumn('expires_at', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('products_account_external', ['account_id', 'external_id'])
      .execute();
    // Listing pages by (account, kind, created_at, id); expiry sweeps by expires_at.
    await db.schema
      .createIndex('products_listing')
      .on('products')
      .columns(['account_id', 'kind', 'created_at', 'id'])
      .execute();
    await db.schema.createIndex('products_expiry').on('products').column('expires_at').execute();

    await db.schema
      .createTable('product_images')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('product_id', 'text', (c) => c.notNull().references('products.id').onDelete('cascade'))
      .addColumn('ord', 'integer', (c) => c.notNull())
      .addColumn('source_url', 'text')
      .addColumn('role', 'text')
      .addColumn('classifications', 'text')
      .addColumn('blob_key', 'text')
      .addColumn('content_type', 'text')
      .addColumn('content_hash', 'text')
      .execute();
    await db.schema.createIndex('product_images_product').on('product_images').columns(['product_id', 'ord']).execute();

    await db.schema
      .createTable('generations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('product_id', 'text')
      .addColumn('product_external_id', 'text', (c) => c.notNull())
      .addColumn('product_snapshot', 'text', (c) => c.notNull())
      .addColumn('person_image_id', 'text')
      .addColumn('person_blob_key', 'text')
      .addColumn('result_blob_key', 'text')
      .addColumn('external_user_id', 'text')
      .addColumn('watermark', 'integer')
      .addColumn('ai_label', 'integer', (c) => c.notNull())
      .addColumn('keep_for_days', 'integer', (c) => c.notNull())
      .addColumn('engine', 'text', (c) => c.notNull())
      .addColumn('error_code', 'text')
      .addColumn('error_message', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('completed_at', 'text')
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('generations_customer')
      .on('generations')
      .columns(['account_id', 'external_user_id'])
      .execute();
    await db.schema.createIndex('generations_expiry').on('generations').column('expires_at').execute();

    await db.schema
      .createTable('jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('max_attempts', 'integer', (c) => c.notNull())
      .addColumn('run_at', 'text', (c) => c.notNull())
      .addColumn('lease_until', 'text')
      .addColumn('locked_by', 'text')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('jobs_claim').on('jobs').columns(['status', 'run_at']).execute();

    await db.schema
      .createTable('kv')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const t of [
      'kv',
      'jobs',
      'generations',
      'product_images',
      'products',
      'images',
      'credit_ledger',
      'api_keys',
    ]) {
      await db.schema.dropTable(t).execute();
    }
    await db.schema.dropTable('accounts').execute();
  },
};

/** Idempotency keys of try-on requests: a retried request returns the first one's generation instead of paying twice. */
const m0002: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('idempotency_keys')
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('request_hash', 'text', (c) => c.notNull())
      .addColumn('generation_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('idempotency_keys_pk', ['account_id', 'key'])
      .execute();
    await db.schema.createIndex('idempotency_keys_created').on('idempotency_keys').column('created_at').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('idempotency_keys').execute();
  },
};

/**
 * The engine's checks mode (ENGINE_CHECKS: `strict` or `lenient`): an account's override (null = the deployment's),
 * and the mode a generation was accepted with (null on generations made before: strict).
 */
const m0003: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('accounts').addColumn('engine_checks', 'text').execute();
    await db.schema.alterTable('generations').addColumn('engine_checks', 'text').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('generations').dropColumn('engine_checks').execute();
    await db.schema.alterTable('accounts').dropColumn('engine_checks').execute();
  },
};

/** The reconciler of queues outside the database finds PENDING generations by age (jobs/try-on.job.ts). */
const m0004: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex('generations_status_created')
      .on('generations')
      .columns(['status', 'created_at'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('generations_status_created').execute();
  },
};

/**
 * The admin API (issue 15): a label people give an API key, and when it was last used (written at most once a minute
 * per key, by AccountsService.authenticate). Listings of the admin API page newest first, per account.
 */
const m0005: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('api_keys').addColumn('label', 'text').execute();
    await db.schema.alterTable('api_keys').addColumn('last_used_at', 'text').execute();
    await db.schema.createIndex('api_keys_account').on('api_keys').columns(['account_id', 'created_at']).execute();
    await db.schema
      .createIndex('generations_account_created')
      .on('generations')
      .columns(['account_id', 'created_at'])
      .execute();
    await db.schema.createIndex('generations_created').on('generations').column('created_at').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('generations_created').execute();
    await db.schema.dropIndex('generations_account_created').execute();
    await db.schema.dropIndex('api_keys_account').execute();
    await db.schema.alterTable('api_keys').dropColumn('last_used_at').execute();
    await db.schema.alterTable('api_keys').dropColumn('label').execute();
  },
};

/** The identity pass of hosted engines' results, per account (IDENTITY_PASS's override; null = the deployment's). */
const m0006: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('accounts').addColumn('identity_pass', 'text').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('accounts').dropColumn('identity_pass').execute();
  },
};

/**
 * Webhooks (docs/webhooks.md): an account's endpoint and signing secret, a generation's own URL (the request's
 * `webhookUrl`), one delivery per event and target, and the log of its HTTP attempts.
 */
const m0007: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('accounts').addColumn('webhook_url', 'text').execute();
    await db.schema.alterTable('accounts').addColumn('webhook_secret', 'text').execute();
    await db.schema.alterTable('generations').addColumn('webhook_url', 'text').execute();
    await db.schema
      .createTable('webhook_deliveries')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('generation_id', 'text', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', 'text', (c) => c.notNull())
      .addColumn('last_status_code', 'integer')
      .addColumn('last_error', 'text')
      .addColumn('event_created_at', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('delivered_at', 'text')
      .execute();
    // Due deliveries are found by (status, next_attempt_at); an operator looks one up by its event id.
    await db.schema
      .createIndex('webhook_deliveries_due')
      .on('webhook_deliveries')
      .columns(['status', 'next_attempt_at'])
      .execute();
    await db.schema.createIndex('webhook_deliveries_event').on('webhook_deliveries').column('event_id').execute();
    await db.schema
      .createIndex('webhook_deliveries_account')
      .on('webhook_deliveries')
      .columns(['account_id', 'created_at'])
      .execute();
    await db.schema
      .createTable('webhook_attempts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('delivery_id', 'text', (c) => c.notNull().references('webhook_deliveries.id').onDelete('cascade'))
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('status_code', 'integer')
      .addColumn('error', 'text')
      .addColumn('duration_ms', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('webhook_attempts_delivery')
      .on('webhook_attempts')
      .columns(['delivery_id', 'attempt'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('webhook_attempts').execute();
    await db.schema.dropTable('webhook_deliveries').execute();
    await db.schema.alterTable('generations').dropColumn('webhook_url').execute();
    await db.schema.alterTable('accounts').dropColumn('webhook_secret').execute();
    await db.schema.alterTable('accounts').dropColumn('webhook_url').execute();
  },
};

/**
 * The admin API's lists over every account (issue 15): products newest first (all of them, or one account's — the
 * contract's products_listing index leads with the kind, which the admin list does not filter on), and the credit
 * ledger by time for the usage report (credit_ledger_account serves one account only).
 */
const m0008: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('products_created').on('products').columns(['created_at', 'id']).execute();
    await db.schema
      .createIndex('products_account_created')
      .on('products')
      .columns(['account_id', 'created_at', 'id'])
      .execute();
    await db.schema.createIndex('credit_ledger_created').on('credit_ledger').column('created_at').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('credit_ledger_created').execute();
    await db.schema.dropIndex('products_account_created').execute();
    await db.schema.dropIndex('products_created').execute();
  },
};

/**
 * Outfits (issue 17): how many products an account may dress in one try-on (1, the default: Genlook's one product),
 * and a generation's outfit in dressing order (null for a single product, whose product_snapshot says it all).
 */
const m0009: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('accounts')
      .addColumn('max_outfit_items', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
    await db.schema.alterTable('generations').addColumn('outfit_snapshot', 'text').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('generations').dropColumn('outfit_snapshot').execute();
    await db.schema.alterTable('accounts').dropColumn('max_outfit_items').execute();
  },
};

const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_idempotency_keys': m0002,
  '0003_engine_checks': m0003,
  '0004_generations_by_status': m0004,
  '0005_admin_api': m0005,
  '0006_identity_pass': m0006,
  '0007_webhooks': m0007,
  '0008_admin_lists': m0008,
  '0009_outfits': m0009,
};

class InCodeMigrations implements MigrationProvider {
  async getMigrations() {
    return MIGRATIONS;
  }
}

/** Brings the database to the latest schema; safe to call from several processes (the server and the CLI). */
export async function migrateToLatest(db: Kysely<unknown>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new InCodeMigrations() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
