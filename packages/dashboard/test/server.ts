/**
 * The real fitroom server for the browser tests and the screenshot script, loaded from packages/server's sources by
 * URL: the dashboard package compiles on its own and does not depend on the server's types (as packages/sdk's
 * end-to-end suite does). Images are made and read with the server's own sharp.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface TestServer {
  /** Ends in /tryon/v1. */
  baseUrl: string;
  apiKey: string;
  accountId: string;
  close(): Promise<void>;
}

export interface StartOptions {
  credits?: number;
  /** The server's clock (packages/server's Clock port). */
  clock?: { now(): Date };
  env?: Record<string, string>;
  vision?: boolean;
}

export const TEST_PHOTOS = fileURLToPath(new URL('../../../test-photos', import.meta.url));
const TEST_SERVER_URL = new URL('../../server/src/testing/test-server.ts', import.meta.url).href;
const SERVER_PACKAGE = fileURLToPath(new URL('../../server/package.json', import.meta.url));

const DASHBOARD = fileURLToPath(new URL('..', import.meta.url));

/** The newest modification time under a directory (or of a file). */
function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/**
 * Builds the dashboard (vite build) when dist/ is missing or older than its sources, so that the browser tests test
 * the code in the tree and not a build left from before (`npm ci` builds it, so under CI this does nothing).
 */
export function ensureDashboardBuilt(): void {
  const built = join(DASHBOARD, 'dist', 'index.html');
  const sources = Math.max(newest(join(DASHBOARD, 'src')), newest(join(DASHBOARD, 'index.html')));
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  console.log('# building the dashboard (its sources are newer than dist/)');
  const res = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: DASHBOARD, stdio: 'inherit' });
  if (res.status !== 0) throw new Error('vite build of the dashboard failed');
}

type Sharp = (
  input?: Buffer | { create: { width: number; height: number; channels: 3 | 4; background: string } },
) => SharpImage;
interface SharpImage {
  png(): SharpImage;
  raw(): SharpImage;
  removeAlpha(): SharpImage;
  toBuffer(options: { resolveWithObject: true }): Promise<{ data: Buffer; info: { width: number; height: number } }>;
  toBuffer(): Promise<Buffer>;
}

async function serverSharp(): Promise<Sharp> {
  const path = createRequire(SERVER_PACKAGE).resolve('sharp');
  return ((await import(pathToFileURL(path).href)) as { default: Sharp }).default;
}

export async function loadServerTesting() {
  const { startTestServer } = (await import(TEST_SERVER_URL)) as {
    startTestServer: (options?: StartOptions) => Promise<TestServer>;
  };
  return {
    startTestServer,
    /** The share of clearly red pixels in a corner (a tenth of the width and height) of an image. */
    async redShare(image: Buffer, corner: 'top-left' | 'bottom-right'): Promise<number> {
      const sharp = await serverSharp();
      const { data, info } = await sharp(image).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const w = Math.max(1, Math.floor(info.width / 10));
      const h = Math.max(1, Math.floor(info.height / 10));
      const x0 = corner === 'top-left' ? 0 : info.width - w;
      const y0 = corner === 'top-left' ? 0 : info.height - h;
      let red = 0;
      for (let y = y0; y < y0 + h; y++) {
        for (let x = x0; x < x0 + w; x++) {
          const i = (y * info.width + x) * 3;
          const [r, g, b] = [data[i] ?? 0, data[i + 1] ?? 0, data[i + 2] ?? 0];
          if (r > 180 && g < 90 && b < 90) red++;
        }
      }
      return red / (w * h);
    },
  };
}

/** A plain red square PNG: a logo easy to find on a result. */
export async function redPng(size = 200): Promise<Buffer> {
  const sharp = await serverSharp();
  return sharp({ create: { width: size, height: size, channels: 4, background: '#ff0000' } })
    .png()
    .toBuffer();
}
