/**
 * Test helper run as a separate process: debits one credit per generation `count` times on the database of the
 * environment (DATA_DIR's SQLite file, or DATABASE_URL) and prints how many debits succeeded. Proves the conditional
 * debit holds across processes (server + CLI, or several servers on one PostgreSQL).
 */
import { parseConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { newId } from '../ids.js';
import { systemClock } from '../ports/clock.js';
import { CreditsService } from '../services/credits.service.js';

const [accountId, count] = process.argv.slice(2);
const db = openDatabase(parseConfig(process.env));
const credits = new CreditsService(db, systemClock);
let ok = 0;
for (let i = 0; i < Number(count); i++) {
  const r = await db.transaction().execute((tx) => credits.debitForGeneration(tx, accountId!, newId('gen')));
  if (r !== null) ok++;
}
await db.destroy();
process.stdout.write(`${ok}\n`);
