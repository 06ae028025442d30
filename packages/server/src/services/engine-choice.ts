/**
 * Which engine an account may be set to on this server, and which engine a try-on gets: the rules the CLI's
 * `accounts set`, the admin API and the try-on submission share.
 */
import { categoryFromWords } from '@fitroom/engine';
import type { Config } from '../config.js';
import { ENGINE_NAMES, missingForHostedEngine } from '../config-engines.js';

/** The engines an account can be set to (null: the deployment's ENGINE). */
export const ACCOUNT_ENGINES = ENGINE_NAMES;
export type AccountEngine = (typeof ACCOUNT_ENGINES)[number];

/**
 * What this server lacks to run `engine`, or null when it can run it. Every try-on of an account set to an engine the
 * server does not run would fail (ENGINE_FAILED, refunded): such a setting is refused instead.
 */
export function missingForEngine(
  engine: string,
  config: Pick<Config, 'externalEngineUrl' | 'vision' | 'engines'>,
): string | null {
  if (engine === 'composite' && !config.vision) return 'needs the vision models, which VISION=off turns off';
  return missingForHostedEngine(engine, config);
}

/**
 * The engine a try-on is accepted with, kept on the generation (a retry runs on the same one), for a product not
 * titled `mock` (that one always gets the mock engine, generations.service.ts): the account's own engine (the
 * operator chose it for that shop), else the deployment's engine for the category the product's words name
 * (ENGINE_BY_CATEGORY), else ENGINE.
 */
export function engineForTryOn(
  account: { engine: string | null },
  product: { title: string | null; description: string | null },
  config: Pick<Config, 'engine' | 'engines'>,
): string {
  if (account.engine) return account.engine;
  const category = categoryFromWords(product);
  return (category && config.engines.byCategory[category]) || config.engine;
}
