/** The account settings the admin API takes, checked as the CLI checks them (services/engine-choice.ts). */
import { z } from 'zod';
import type { Config } from '../../config.js';
import { ApiError } from '../../errors.js';
import { ACCOUNT_ENGINES, missingForEngine } from '../../services/engine-choice.js';
import { MAX_OUTFIT_ITEMS } from '../../services/try-on-input.js';

export const AccountName = z.string().trim().min(1).max(200);
export const RateLimit = z
  .number()
  .int()
  .min(1)
  .max(1_000_000)
  .nullable()
  .describe('Requests per minute; null: the deployment default');
export const RetentionDays = z.union([z.literal(1), z.literal(3), z.literal(7)], {
  errorMap: () => ({ message: 'Expected 1, 3 or 7' }),
});
export const Engine = z.enum(ACCOUNT_ENGINES).nullable().describe('null: the deployment default');
export const EngineChecks = z.enum(['strict', 'lenient']).nullable().describe('null: the deployment default');
export const IdentityPass = z
  .boolean()
  .nullable()
  .describe(
    "Whether hosted engines' results get the identity pass (the person's own pixels kept outside the garment); " +
      'null: the deployment default (IDENTITY_PASS)',
  );

/** Products one try-on may dress (an outfit, docs/compatibility.md); 1 is Genlook's single product. */
export const OutfitItems = z
  .number()
  .int()
  .min(1)
  .max(MAX_OUTFIT_ITEMS)
  .describe(
    'How many products one try-on may dress together, at one credit each (an outfit: a top and a bottom, a dress ' +
      "and outerwear); 1, the default, is Genlook's single product",
  );

/** The identity pass as the accounts table keeps it (`on` | `off`; null: the deployment's). */
export const identityPassColumn = (v: boolean | null): string | null => (v === null ? null : v ? 'on' : 'off');

/** VALIDATION_FAILED (path `engine`) for an engine this server cannot run: every try-on of the account would fail. */
export function refuseUnrunnableEngine(engine: string | null | undefined, config: Readonly<Config>): void {
  if (!engine) return;
  const missing = missingForEngine(engine, config);
  if (missing) {
    throw new ApiError('VALIDATION_FAILED', `The ${engine} engine ${missing}.`, [
      { path: 'engine', message: `This server cannot run the ${engine} engine` },
    ]);
  }
}
