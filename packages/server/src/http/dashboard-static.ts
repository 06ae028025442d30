/**
 * The admin dashboard's built files (packages/dashboard/dist, made by `npm run build`, which `npm install` runs) at
 * /dashboard. The dashboard is a single-page app: any path under /dashboard that is not a file gets index.html, and
 * the app routes on the client. Hashed assets (`assets/*`) are cached for a year; everything else is revalidated.
 *
 * The files are read into memory once (the whole build is a few tens of KB), gzipped once, and served from there, so
 * no request path ever reaches the file system. @fastify/static would add range requests and streaming that files
 * this small do not need. A missing build is looked for again on the next request, so building while the server runs
 * works without a restart.
 *
 * The API of the dashboard (`/dashboard/session`, `/admin/v1`) is registered elsewhere (admin routes).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { Deps } from '../deps.js';
import { ApiError } from '../errors.js';

export const DASHBOARD_PATH = '/dashboard';

/** packages/dashboard/dist, from src/http (tsx) and from dist/http (compiled) alike. */
export const DEFAULT_DASHBOARD_DIST = fileURLToPath(new URL('../../../dashboard/dist', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};
/** Worth compressing: text. Images and fonts are compressed already. */
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.txt']);

interface StaticFile {
  body: Buffer;
  gzip: Buffer | null;
  contentType: string;
  etag: string;
  /** Vite names these after their content hash: never changes, cache for a year. */
  immutable: boolean;
}

export interface DashboardStaticOptions {
  /** Where the built dashboard is; default packages/dashboard/dist. */
  distDir?: string;
}

/** A plugin for buildApp's `plugins`. */
export function dashboardStatic(options: DashboardStaticOptions = {}) {
  const distDir = options.distDir ?? DEFAULT_DASHBOARD_DIST;
  return (app: FastifyInstance, deps: Deps): void => {
    const headers = securityHeaders(deps.config);
    let files: Map<string, StaticFile> | null = null;
    const serve = async (req: FastifyRequest, reply: FastifyReply) => {
      reply.headers(headers);
      files ??= loadBuild(distDir);
      if (!files) {
        throw new ApiError(
          'NOT_FOUND',
          'The dashboard is not built on this server. Run `npm run build` in the fitroom repository (`npm install` ' +
            'runs it too), then reload this page.',
        );
      }
      const path = (req.params as { '*'?: string })['*'] ?? '';
      const file = files.get(path) ?? (looksLikeFile(path) ? undefined : files.get('index.html'));
      if (!file) throw new ApiError('NOT_FOUND', `No dashboard file ${DASHBOARD_PATH}/${path}.`);
      return sendFile(req, reply, file);
    };
    app.get(DASHBOARD_PATH, { schema: { hide: true } }, async (_req, reply) =>
      reply.headers(headers).redirect(`${DASHBOARD_PATH}/`, 308),
    );
    app.get(`${DASHBOARD_PATH}/*`, { schema: { hide: true } }, serve);
  };
}

/** A path whose last segment has an extension, or under assets/, names a file: a missing one is 404, not the app. */
function looksLikeFile(path: string): boolean {
  return path.startsWith('assets/') || /\.[a-z0-9]+$/i.test(path.split('/').pop() ?? '');
}

function sendFile(req: FastifyRequest, reply: FastifyReply, file: StaticFile) {
  reply
    .header('content-type', file.contentType)
    .header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    .header('etag', file.etag)
    .header('vary', 'accept-encoding');
  if (req.headers['if-none-match'] === file.etag) return reply.status(304).send();
  const acceptsGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  if (file.gzip && acceptsGzip) return reply.header('content-encoding', 'gzip').send(file.gzip);
  return reply.send(file.body);
}

/** Every file of the build by its path below dist ('index.html', 'assets/index-x1y2.js'); null when not built. */
function loadBuild(distDir: string): Map<string, StaticFile> | null {
  if (!existsSync(join(distDir, 'index.html'))) return null;
  const files = new Map<string, StaticFile>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) {
        walk(full);
        continue;
      }
      const ext = extname(name).toLowerCase();
      const body = readFileSync(full);
      const key = relative(distDir, full).split(sep).join('/');
      files.set(key, {
        body,
        gzip: COMPRESSIBLE.has(ext) && body.length > 512 ? gzipSync(body, { level: 9 }) : null,
        contentType: CONTENT_TYPES[ext] ?? 'application/octet-stream',
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
        immutable: key.startsWith('assets/'),
      });
    }
  };
  walk(distDir);
  return files;
}

/**
 * Headers of every dashboard answer. Scripts, styles and fetches only from this origin and no inline script (the
 * build has none); images also from where signed file URLs point (PUBLIC_URL, or the S3 bucket) and `blob:` for the
 * previews of files picked before upload. No framing, no sniffing, no referrer (signed URLs stay out of logs).
 */
export function securityHeaders(config: Readonly<Config>): Record<string, string> {
  const imageSources = ["'self'", 'blob:', ...imageOrigins(config)];
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src ${[...new Set(imageSources)].join(' ')}`,
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'content-security-policy': csp,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  };
}

/** The origins signed image URLs (results, photos, product images) are on. */
function imageOrigins(config: Readonly<Config>): string[] {
  const s3 = config.s3;
  if (!s3) return [new URL(config.publicUrl).origin];
  if (s3.endpoint) {
    const endpoint = new URL(s3.endpoint);
    // Path style: endpoint/bucket/key; virtual-hosted style: bucket.endpoint/key.
    return s3.forcePathStyle ? [endpoint.origin] : [`${endpoint.protocol}//${s3.bucket}.${endpoint.host}`];
  }
  return [`https://${s3.bucket}.s3.${s3.region}.amazonaws.com`, `https://${s3.bucket}.s3.amazonaws.com`];
}
