/**
 * Table types for Kysely. Timestamps are ISO-8601 UTC strings with milliseconds (`2026-03-30T10:00:00.000Z`):
 * they sort lexicographically in time order and mean the same on SQLite and PostgreSQL, so every query is portable.
 * Booleans are 0/1 integers for the same reason.
 */
import type { ColumnType, Selectable } from 'kysely';

/** A nullable column that inserts may leave out (it is then NULL): the columns later migrations added. */
type NullableAdded<T> = ColumnType<T | null, T | null | undefined, T | null>;

export interface AccountsTable {
  id: string;
  name: string;
  credit_balance: number;
  /** Requests per minute; null = the server default (RATE_LIMIT_PER_MIN). */
  rate_limit_per_min: number | null;
  /** Default keepForDays for this account's images and results (1, 3 or 7). */
  retention_days: number;
  /** Blob key of the watermark logo; null = no watermark. */
  logo_blob_key: string | null;
  /** Engine override for this account; null = the deployment default. */
  engine: string | null;
  /** Engine checks override for this account (`strict` | `lenient`); null = the deployment default (ENGINE_CHECKS). */
  engine_checks: string | null;
  /**
   * The identity pass on hosted engines' results for this account (`on` | `off`); null = the deployment's
   * IDENTITY_PASS (migration 0006).
   */
  identity_pass: NullableAdded<string>;
  /** Where this account's webhook events go (docs/webhooks.md); null = none. */
  webhook_url: NullableAdded<string>;
  /**
   * The key webhook events are signed with (HMAC-SHA256). Kept as is, not hashed: signing needs the key itself.
   * Shown once by the CLI, never logged or listed.
   */
  webhook_secret: NullableAdded<string>;
  /** How many products one try-on may dress (an outfit, issue 17); 1 = Genlook's single product (migration 0009). */
  max_outfit_items: ColumnType<number, number | undefined, number>;
  disabled_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ApiKeysTable {
  id: string;
  account_id: string;
  /** SHA-256 (hex) of the full key; the key itself is shown once and never stored. */
  key_hash: string;
  /** The first characters of the key, for people to recognise it in listings. */
  key_prefix: string;
  /** What people call the key (the admin API's `label`); null = none given. */
  label: string | null;
  created_at: string;
  revoked_at: string | null;
  /** When the key last authenticated a request, to the minute (AccountsService.authenticate). */
  last_used_at: string | null;
}

export type LedgerReason = 'grant' | 'top_up' | 'generation_debit' | 'generation_refund' | 'adjustment';

export interface CreditLedgerTable {
  id: string;
  account_id: string;
  delta: number;
  reason: LedgerReason;
  /** Set for debits and refunds; UNIQUE(generation_id, reason) makes a double debit or refund impossible. */
  generation_id: string | null;
  note: string | null;
  balance_after: number;
  created_at: string;
}

export type ImageKind = 'upload' | 'person';

export interface ImagesTable {
  id: string;
  account_id: string;
  kind: ImageKind;
  blob_key: string;
  content_type: string;
  width: number;
  height: number;
  external_user_id: string | null;
  expires_at: string;
  created_at: string;
}

export type ProductKind = 'catalog' | 'inline' | 'one_shot';

export interface ProductsTable {
  id: string;
  account_id: string;
  external_id: string;
  kind: ProductKind;
  title: string | null;
  description: string | null;
  /** JSON text or null. */
  metadata: string | null;
  auto_detect_image_roles: number;
  /** null = kept forever. */
  valid_for_days: number | null;
  last_used_at: string | null;
  /** Derived from valid_for_days and (last_used_at ?? updated_at); stored so expiry is one indexed comparison. */
  expires_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ProductImagesTable {
  id: string;
  product_id: string;
  ord: number;
  source_url: string | null;
  role: string | null;
  /** JSON text or null. */
  classifications: string | null;
  /** null until downloaded (inline /try-on products are fetched by the job). */
  blob_key: string | null;
  content_type: string | null;
  content_hash: string | null;
}

export type GenerationStatus = 'PENDING' | 'PROCESSING' | 'COMPLETED' | 'FAILED';

export interface GenerationsTable {
  id: string;
  account_id: string;
  status: GenerationStatus;
  product_id: string | null;
  product_external_id: string;
  /** JSON snapshot of the product as used: past generations survive a product's deletion. */
  product_snapshot: string;
  person_image_id: string | null;
  person_blob_key: string | null;
  result_blob_key: string | null;
  external_user_id: string | null;
  watermark: number | null;
  ai_label: number;
  keep_for_days: number;
  engine: string;
  /** The engine checks mode the generation was accepted with (`strict` | `lenient`); null (older rows) = strict. */
  engine_checks: string | null;
  /** The request's own `webhookUrl` (replaces the account's endpoint for this generation); null = the account's. */
  webhook_url: NullableAdded<string>;
  /**
   * An outfit's products (JSON array of product snapshots, each with its `position` in the request), in dressing
   * order; null for a single product. product_snapshot holds the request's first product (migration 0009).
   */
  outfit_snapshot: NullableAdded<string>;
  error_code: string | null;
  error_message: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  /** When the stored person snapshot and result are deleted (retention). */
  expires_at: string;
}

export type JobStatus = 'queued' | 'running' | 'done' | 'dead';

export interface JobsTable {
  id: string;
  kind: string;
  /** JSON payload; for try-on jobs `{generationId}`. */
  payload: string;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  run_at: string;
  lease_until: string | null;
  locked_by: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export interface IdempotencyKeysTable {
  account_id: string;
  key: string;
  /** SHA-256 of the request (body and file contents): a key reused for another request is refused. */
  request_hash: string;
  generation_id: string;
  created_at: string;
}

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One event sent to one URL (a redelivery is another row with the same event id). */
export interface WebhookDeliveriesTable {
  id: string;
  /** `evt_…`: what receivers de-duplicate on (delivery is at-least-once). */
  event_id: string;
  event_type: string;
  account_id: string;
  generation_id: string;
  url: string;
  status: WebhookDeliveryStatus;
  /** HTTP attempts begun so far. */
  attempts: number;
  /** When the next attempt may run (pending); set before an attempt begins, so a crash mid-attempt retries. */
  next_attempt_at: string;
  last_status_code: number | null;
  last_error: string | null;
  /** The event's `createdAt` (the terminal transition's time), the same on every attempt and redelivery. */
  event_created_at: string;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

/** The delivery log: one row per HTTP attempt. */
export interface WebhookAttemptsTable {
  id: string;
  delivery_id: string;
  attempt: number;
  /** The receiver's HTTP status; null when none came (refused address, timeout, connection error). */
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  created_at: string;
}

export interface KvTable {
  key: string;
  value: string;
}

export interface Database {
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  credit_ledger: CreditLedgerTable;
  images: ImagesTable;
  products: ProductsTable;
  product_images: ProductImagesTable;
  generations: GenerationsTable;
  jobs: JobsTable;
  idempotency_keys: IdempotencyKeysTable;
  kv: KvTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
}

export type Account = Selectable<AccountsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type ImageRow = Selectable<ImagesTable>;
export type ProductRow = Selectable<ProductsTable>;
export type ProductImageRow = Selectable<ProductImagesTable>;
export type GenerationRow = Selectable<GenerationsTable>;
export type JobRow = Selectable<JobsTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
