/**
 * AuthChanges on the embedded SQLite database: `PRAGMA data_version` changes whenever another connection (the CLI,
 * a second server on the DATA_DIR) commits, so nothing needs announcing. It changes on any commit, not only on keys
 * and accounts: a spurious drop of the cache costs one key lookup.
 */
import { CompiledQuery } from 'kysely';
import type { Db } from '../db/database.js';
import { prepare } from '../db/prepared.js';
import type { AuthChanges } from '../ports/auth-changes.js';

export function sqliteAuthChanges(db: Db): AuthChanges {
  const dataVersion = prepare<{ data_version: number }, []>(
    db,
    () => ({ compile: () => CompiledQuery.raw('PRAGMA data_version') as CompiledQuery<{ data_version: number }> }),
    [],
  );
  return {
    version: async () => (await dataVersion())[0]?.data_version,
    announce: async () => {},
    close: async () => {},
  };
}
