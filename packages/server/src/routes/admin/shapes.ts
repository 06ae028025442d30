/**
 * The admin API's answer shapes (docs/admin-api.md) as Zod schemas, which document them in openapi.json, and the
 * functions that turn rows into them. camelCase, ISO-8601 timestamps, lists as `{data, nextCursor}` newest first.
 */
import { z } from 'zod';
import type { Account, ApiKeyRow, GenerationRow, ProductImageRow, ProductRow } from '../../db/schema.js';
import type { Deps } from '../../deps.js';
import { ErrorBody } from '../../http/schemas.js';
import type { LedgerRow } from '../../services/credits.service.js';

export const AdminAccount = z.object({
  id: z.string(),
  name: z.string(),
  creditBalance: z.number().int(),
  rateLimitPerMin: z.number().int().nullable().describe('null: the deployment default (RATE_LIMIT_PER_MIN)'),
  retentionDays: z.number().int().describe('1, 3 or 7: the default keepForDays of its photos and results'),
  engine: z.string().nullable().describe('null: the deployment default (ENGINE)'),
  engineChecks: z.enum(['strict', 'lenient']).nullable().describe('null: the deployment default (ENGINE_CHECKS)'),
  identityPass: z
    .boolean()
    .nullable()
    .describe("The identity pass on hosted engines' results; null: the deployment default (IDENTITY_PASS)"),
  maxOutfitItems: z
    .number()
    .int()
    .describe("Products one try-on may dress together (an outfit); 1: Genlook's single product"),
  hasLogo: z.boolean().describe('A watermark logo is set (GET …/logo serves it)'),
  disabled: z.boolean().describe("A disabled account's keys are refused (401 INVALID_API_KEY)"),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const AdminApiKey = z.object({
  id: z.string(),
  accountId: z.string(),
  prefix: z.string().describe('The first characters of the key, to recognise it'),
  label: z.string().nullable(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable().describe('To the minute'),
});

/** A page of a list: `nextCursor` is the `cursor` of the next page, null on the last one. */
export const pageOf = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ data: z.array(item), nextCursor: z.string().nullable() });

/** `?limit=&cursor=` of every list. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(512).optional(),
});

export const AccountParams = z.object({ accountId: z.string().min(1).max(64) });

/** The error answers a route may give, plus those every admin route gives (401, 403 CSRF, 429). */
export const adminErrors = (...statuses: number[]) =>
  Object.fromEntries(
    [...new Set([...statuses, 401, 403, 429])].map((s) => [s, { description: 'Error', schema: ErrorBody }]),
  );

export const accountOut = (a: Account): z.infer<typeof AdminAccount> => ({
  id: a.id,
  name: a.name,
  creditBalance: a.credit_balance,
  rateLimitPerMin: a.rate_limit_per_min,
  retentionDays: a.retention_days,
  engine: a.engine,
  engineChecks: a.engine_checks === 'strict' || a.engine_checks === 'lenient' ? a.engine_checks : null,
  identityPass: a.identity_pass === 'on' ? true : a.identity_pass === 'off' ? false : null,
  maxOutfitItems: a.max_outfit_items,
  hasLogo: a.logo_blob_key !== null,
  disabled: a.disabled_at !== null,
  createdAt: a.created_at,
  updatedAt: a.updated_at,
});

export const apiKeyOut = (k: ApiKeyRow): z.infer<typeof AdminApiKey> => ({
  id: k.id,
  accountId: k.account_id,
  prefix: k.key_prefix,
  label: k.label,
  createdAt: k.created_at,
  revokedAt: k.revoked_at,
  lastUsedAt: k.last_used_at,
});

/** A key just made (POST …/keys, POST …/playground-key): the key itself, in this answer only, and its description. */
export const AdminCreatedKey = z.object({ key: z.string().describe('Shown once'), apiKey: AdminApiKey });

export const createdKeyOut = (created: { apiKey: string; row: ApiKeyRow }): z.infer<typeof AdminCreatedKey> => ({
  key: created.apiKey,
  apiKey: apiKeyOut(created.row),
});

export const AdminLedgerEntry = z.object({
  id: z.string(),
  accountId: z.string(),
  delta: z.number().int().describe('Credits added (positive) or removed (negative)'),
  reason: z
    .enum(['grant', 'top_up', 'generation_debit', 'generation_refund', 'adjustment'])
    .describe('grant: at creation; top_up / adjustment: added / removed by an operator; debit and refund: try-ons'),
  note: z.string().nullable().describe("The operator's note (CLI --reason, POST …/credits note)"),
  generationId: z.string().nullable(),
  balanceAfter: z.number().int(),
  createdAt: z.string(),
});

export const ledgerOut = (l: LedgerRow): z.infer<typeof AdminLedgerEntry> => ({
  id: l.id,
  accountId: l.account_id,
  delta: l.delta,
  reason: l.reason,
  note: l.note,
  generationId: l.generation_id,
  balanceAfter: l.balance_after,
  createdAt: l.created_at,
});

/**
 * A signed URL of a stored file (as the public API signs them: SIGNED_URL_TTL_S, never past the file's own expiry),
 * or null when there is no file or it has expired (retention may not have swept it yet).
 */
export async function signedOrNull(deps: Deps, key: string | null, expiresAt: string | null): Promise<string | null> {
  if (!key) return null;
  let ttl = deps.config.signedUrlTtlS;
  if (expiresAt !== null) {
    const untilExpiry = Math.floor((Date.parse(expiresAt) - deps.clock.now().getTime()) / 1000);
    if (untilExpiry <= 0) return null;
    ttl = Math.min(ttl, untilExpiry);
  }
  return deps.blobs.signedUrl(key, ttl);
}

export const AdminProductImage = z.object({
  url: z
    .string()
    .nullable()
    .describe('A signed URL of the stored copy; the source URL when it was never downloaded; null if neither'),
  sourceUrl: z.string().nullable().describe('Where it was downloaded from (null: uploaded as a file)'),
  role: z.string().nullable(),
});

export const AdminProduct = z.object({
  id: z.string(),
  accountId: z.string(),
  externalId: z.string(),
  kind: z.enum(['catalog', 'inline', 'one_shot']).describe('inline: made by a /try-on; one_shot: without externalId'),
  title: z.string(),
  description: z.string(),
  images: z.array(AdminProductImage),
  validForDays: z.number().int().nullable().describe('Its TTL from its last use; null: kept until deleted'),
  expiresAt: z.string().nullable(),
  expired: z.boolean().describe('Past expiresAt: the public API answers 404 for it until the sweep deletes it'),
  lastUsedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export async function productOut(
  deps: Deps,
  p: ProductRow,
  images: ProductImageRow[],
): Promise<z.infer<typeof AdminProduct>> {
  return {
    id: p.id,
    accountId: p.account_id,
    externalId: p.external_id,
    kind: p.kind,
    title: p.title ?? '',
    description: p.description ?? '',
    images: await Promise.all(
      images.map(async (im) => ({
        url: (await signedOrNull(deps, im.blob_key, p.expires_at)) ?? im.source_url,
        sourceUrl: im.source_url,
        role: im.role,
      })),
    ),
    validForDays: p.valid_for_days,
    expiresAt: p.expires_at,
    expired: p.expires_at !== null && p.expires_at <= deps.clock.now().toISOString(),
    lastUsedAt: p.last_used_at,
    createdAt: p.created_at,
    updatedAt: p.updated_at,
  };
}

export const AdminGeneration = z.object({
  id: z.string(),
  accountId: z.string(),
  status: z.enum(['PENDING', 'PROCESSING', 'COMPLETED', 'FAILED']),
  productExternalId: z.string(),
  productTitle: z.string().nullable(),
  engine: z.string(),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
  personImageUrl: z.string().nullable().describe('Signed; null once retention removed it'),
  productImageUrl: z.string().nullable().describe("Signed URL of the product's first image as the try-on used it"),
  resultImageUrl: z.string().nullable().describe('Signed; COMPLETED only, null once retention removed it'),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
  durationMs: z.number().int().nullable().describe('From acceptance to the end (COMPLETED or FAILED)'),
});

export const AdminGenerationDetail = AdminGeneration.extend({
  updatedAt: z.string(),
  expiresAt: z.string().describe('When retention removes its person photo and result'),
  externalUserId: z.string().nullable(),
  keepForDays: z.number().int(),
  watermark: z.boolean().nullable().describe("null: the account's default"),
  engineChecks: z.string().nullable(),
  product: z
    .object({
      externalId: z.string(),
      title: z.string().nullable(),
      description: z.string().nullable(),
      images: z.array(AdminProductImage),
    })
    .nullable()
    .describe('The snapshot of the product the try-on ran with'),
});

interface SnapshotImage {
  sourceUrl?: string | null;
  blobKey?: string | null;
  role?: string | null;
}
interface Snapshot {
  externalId?: string;
  title?: string | null;
  description?: string | null;
  images?: SnapshotImage[];
}

const snapshotOf = (g: GenerationRow): Snapshot | null => {
  try {
    const parsed = JSON.parse(g.product_snapshot) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Snapshot) : null;
  } catch {
    return null;
  }
};

/**
 * A snapshot image's URL. Its file may be gone: deleting a product keeps only the files of generations still
 * running, and the product sweep does the same; the dashboard shows a dash for an image that does not load.
 */
const snapshotImageUrl = async (deps: Deps, im: SnapshotImage | undefined): Promise<string | null> =>
  im ? ((await signedOrNull(deps, im.blobKey ?? null, null)) ?? im.sourceUrl ?? null) : null;

export async function generationOut(deps: Deps, g: GenerationRow): Promise<z.infer<typeof AdminGeneration>> {
  const snapshot = snapshotOf(g);
  return {
    id: g.id,
    accountId: g.account_id,
    status: g.status,
    productExternalId: g.product_external_id,
    productTitle: snapshot?.title ?? null,
    engine: g.engine,
    errorCode: g.error_code,
    errorMessage: g.error_message,
    personImageUrl: await signedOrNull(deps, g.person_blob_key, g.expires_at),
    productImageUrl: await snapshotImageUrl(deps, snapshot?.images?.[0]),
    resultImageUrl: g.status === 'COMPLETED' ? await signedOrNull(deps, g.result_blob_key, g.expires_at) : null,
    createdAt: g.created_at,
    completedAt: g.completed_at,
    durationMs: g.completed_at === null ? null : Date.parse(g.completed_at) - Date.parse(g.created_at),
  };
}

export async function generationDetailOut(
  deps: Deps,
  g: GenerationRow,
): Promise<z.infer<typeof AdminGenerationDetail>> {
  const snapshot = snapshotOf(g);
  return {
    ...(await generationOut(deps, g)),
    updatedAt: g.updated_at,
    expiresAt: g.expires_at,
    externalUserId: g.external_user_id,
    keepForDays: g.keep_for_days,
    watermark: g.watermark === null ? null : g.watermark === 1,
    engineChecks: g.engine_checks,
    product: snapshot
      ? {
          externalId: snapshot.externalId ?? g.product_external_id,
          title: snapshot.title ?? null,
          description: snapshot.description ?? null,
          images: await Promise.all(
            (snapshot.images ?? []).map(async (im) => ({
              url: await snapshotImageUrl(deps, im),
              sourceUrl: im.sourceUrl ?? null,
              role: im.role ?? null,
            })),
          ),
        }
      : null,
  };
}

/**
 * An instant in a query (`2026-05-01T00:00:00Z`, `…+02:00`), as the stored timestamps are written (ISO-8601 UTC with
 * milliseconds), so that it compares with them as text.
 */
export const Instant = z
  .string()
  .datetime({ offset: true, message: 'Expected an ISO-8601 date and time, e.g. 2026-05-01T00:00:00Z' })
  .transform((s) => new Date(s).toISOString());
