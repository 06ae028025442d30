/**
 * Debian's Chromium for the browser tests and the screenshot script, driven by playwright-core (which never downloads
 * a browser of its own). When /usr/bin/chromium is missing the setup installs it with apt-get (as root, or through
 * `sudo -n`): CI starts from a fresh machine, and `.ci/run` only runs `npm ci` and `npm test`. When it cannot, the
 * browser tests fail, saying why; FITROOM_SKIP_BROWSER_TESTS=1 skips them on purpose instead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Flags for a machine without a display or outside network: headless, no sandbox (root in a container), no GPU, and
 * none of the background connections (updates, sync, QUIC probes) that a closed network refuses by the dozen. The
 * profile is a fresh directory per launch (--user-data-dir, passed by playwright from `launchChromium`).
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

function run(cmd: string, args: string[]): boolean {
  const res = spawnSync(cmd, args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return res.status === 0;
}

/** Null when Chromium is there (installed now if need be), else why it is not. */
export function ensureChromium(): string | null {
  if (existsSync(CHROMIUM)) return null;
  if (!existsSync('/usr/bin/apt-get')) return `${CHROMIUM} is missing and apt-get is not there to install it`;
  // Not root: sudo without a password prompt (-n), or nothing (a test run has no one to type a password).
  const root = process.getuid?.() === 0;
  if (!root && !existsSync('/usr/bin/sudo'))
    return `${CHROMIUM} is missing; install it as root with: apt-get install -y chromium`;
  const apt = (...args: string[]) => (root ? run('apt-get', args) : run('sudo', ['-n', 'apt-get', ...args]));
  console.log(`# ${CHROMIUM} is missing: installing Debian's chromium with apt-get (a few minutes, once)`);
  // Without the recommended packages (udev, mesa, printing…) a headless browser needs, but with a font for the
  // screenshots. The package lists may be stale or absent on a fresh machine: refresh them when the first try fails.
  const installed =
    apt('install', '-y', '--no-install-recommends', 'chromium', 'fonts-liberation') ||
    (apt('update') && apt('install', '-y', '--no-install-recommends', 'chromium', 'fonts-liberation'));
  if (installed && existsSync(CHROMIUM)) return null;
  return `apt-get could not install chromium (${CHROMIUM} is still missing); install it with: apt-get install -y chromium`;
}

/**
 * Whether the browser tests are skipped (FITROOM_SKIP_BROWSER_TESTS=1, said in the output). Otherwise Chromium is
 * made present, and when that fails this throws: a missing browser must not pass for a green run.
 */
export function browserTestsSkipped(): string | false {
  if (process.env.FITROOM_SKIP_BROWSER_TESTS === '1') {
    console.log('# browser tests skipped: FITROOM_SKIP_BROWSER_TESTS=1');
    return 'FITROOM_SKIP_BROWSER_TESTS=1';
  }
  const missing = ensureChromium();
  if (missing) throw new Error(`The browser tests cannot run: ${missing} (FITROOM_SKIP_BROWSER_TESTS=1 skips them)`);
  return false;
}

export interface LaunchedChromium {
  context: BrowserContext;
  /** Closes the browser and removes its profile directory. */
  close(): Promise<void>;
}

/** A headless Chromium on a fresh, empty profile of its own, removed on close. */
export async function launchChromium(options: { width?: number; height?: number } = {}): Promise<LaunchedChromium> {
  const profile = mkdtempSync(join(tmpdir(), 'fitroom-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
      deviceScaleFactor: 1,
      // The tests run offline: nothing outside 127.0.0.1 is asked for, and no service worker keeps a page alive.
      serviceWorkers: 'block',
    });
    return {
      context,
      async close() {
        await context.close().catch(() => {});
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
}
