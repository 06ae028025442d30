/**
 * The example deployment files in deploy/ (docs/deployment.md) stay true to the code: each systemd unit runs a
 * `fitroom` command the CLI has, with a role it knows; every variable they and the shared settings file set is one
 * the server reads, documented in the README, and together they parse into a scale-out configuration.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseConfig } from './config.js';
import { SERVER_ROLES } from './server.js';

const root = resolve(fileURLToPath(import.meta.url), '../../../..');
const deploy = join(root, 'deploy');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** KEY=value lines (comments and blank lines aside). */
function envLines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

function unit(name: string) {
  const text = readFileSync(join(deploy, 'systemd', name), 'utf8');
  const exec = /^ExecStart=(.*)$/m.exec(text)?.[1] ?? '';
  const environment = envLines(
    text
      .split('\n')
      .filter((l) => l.startsWith('Environment='))
      .map((l) => l.slice('Environment='.length))
      .join('\n'),
  );
  return { text, args: exec.split(/\s+/).slice(exec.split(/\s+/).indexOf('fitroom') + 1), environment };
}

test('deploy/: each unit runs a fitroom command with a known role, and the settings parse into a scale-out config', () => {
  const shared = envLines(readFileSync(join(deploy, 'fitroom.env.example'), 'utf8'));
  const units = readdirSync(join(deploy, 'systemd')).filter((f) => f.endsWith('.service'));
  assert.deepEqual(units.sort(), ['fitroom-api.service', 'fitroom-migrate.service', 'fitroom-worker.service']);
  const roles: string[] = [];
  for (const name of units) {
    const u = unit(name);
    assert.match(u.text, /^EnvironmentFile=\/etc\/fitroom\/fitroom\.env$/m, name);
    if (u.args[0] === 'serve') {
      assert.equal(u.args[1], '--role', name);
      assert.ok(SERVER_ROLES.includes(u.args[2] as never), `${name}: role ${u.args[2]}`);
      roles.push(u.args[2]!);
    } else {
      assert.deepEqual(u.args, ['migrate'], name);
    }
    const config = parseConfig({ ...shared, ...u.environment });
    assert.ok(config.databaseUrl && config.redis && config.s3, `${name}: PostgreSQL, Redis and S3 are all set`);
    for (const variable of Object.keys({ ...shared, ...u.environment })) {
      assert.ok(readme.includes(`| \`${variable}\``), `${variable} is in the README's configuration table`);
    }
  }
  assert.deepEqual(roles.sort(), ['api', 'worker']);
});
