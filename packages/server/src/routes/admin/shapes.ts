/**
 * The admin API's answer shapes (docs/admin-api.md) as Zod schemas, which document them in openapi.json, and the
 * functions that turn rows into them. camelCase, ISO-8601 timestamps, lists as `{data, nextCursor}` newest first.
 */
import { z } from 'zod';
import type { Account, ApiKeyRow } from '../../db/schema.js';
import { ErrorBody } from '../../http/schemas.js';

export const AdminAccount = z.object({
  id: z.string(),
  name: z.string(),
  creditBalance: z.number().int(),
  rateLimitPerMin: z.number().int().nullable().describe('null: the deployment default (RATE_LIMIT_PER_MIN)'),
  retentionDays: z.number().int().describe('1, 3 or 7: the default keepForDays of its photos and results'),
  engine: z.string().nullable().describe('null: the deployment default (ENGINE)'),
  engineChecks: z.enum(['strict', 'lenient']).nullable().describe('null: the deployment default (ENGINE_CHECKS)'),
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
