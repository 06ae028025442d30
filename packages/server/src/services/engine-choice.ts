/** Which engine an account may be set to on this server: the rule the CLI's `accounts set` and the admin API share. */
import type { Config } from '../config.js';

/** The engines an account can be set to (null: the deployment's ENGINE). */
export const ACCOUNT_ENGINES = ['composite', 'mock', 'external'] as const;
export type AccountEngine = (typeof ACCOUNT_ENGINES)[number];

/**
 * What this server lacks to run `engine`, or null when it can run it. Every try-on of an account set to an engine the
 * server does not run would fail (ENGINE_FAILED, refunded): such a setting is refused instead.
 */
export function missingForEngine(engine: string, config: Pick<Config, 'externalEngineUrl' | 'vision'>): string | null {
  if (engine === 'external' && !config.externalEngineUrl) {
    return 'needs EXTERNAL_ENGINE_URL (the base URL of your inference service, docs/external-engine.md)';
  }
  if (engine === 'composite' && !config.vision) return 'needs the vision models, which VISION=off turns off';
  return null;
}
