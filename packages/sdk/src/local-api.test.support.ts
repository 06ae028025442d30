// Test support (excluded from the package by its `.test.` infix and from the portability scan): a real HTTP server on
// 127.0.0.1 with a scripted handler, recording every request it receives so tests assert on the wire, not on mocks.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import { Fitroom, type FitroomOptions } from './client.js';

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/tryon/v1/products?limit=2`. */
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export type Handler = (req: RecordedRequest, res: ServerResponse, index: number) => void | Promise<void>;

export interface LocalApi {
  /** Ends with /tryon/v1, like a real base URL. */
  baseUrl: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startLocalApi(handler: Handler): Promise<LocalApi> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(recorded);
      Promise.resolve(handler(recorded, res, requests.length - 1)).catch((err: unknown) => {
        res.statusCode = 599;
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/tryon/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * `startLocalApi` for one test file: every server it starts is closed after the file's tests. Call at module level,
 * where node:test's `after` hook applies to the whole file.
 */
export function localApis(): (handler: Handler) => Promise<LocalApi> {
  const servers: LocalApi[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });
  return async (handler) => {
    const s = await startLocalApi(handler);
    servers.push(s);
    return s;
  };
}

/** A client of `baseUrl` with the test key `gk_test`, plus any other options. */
export const testClient = (baseUrl: string, extra: FitroomOptions = {}) =>
  new Fitroom({ apiKey: 'gk_test', baseUrl, ...extra });

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

export function sendError(res: ServerResponse, status: number, code: string, headers: Record<string, string> = {}) {
  sendJson(res, status, { code, message: `${code} happened`, status }, headers);
}

/** Parses a recorded multipart body with the runtime's own parser (undici's Request.formData). */
export async function parseForm(req: RecordedRequest): Promise<FormData> {
  return new Request('http://local/', {
    method: 'POST',
    headers: { 'content-type': String(req.headers['content-type']) },
    body: new Uint8Array(req.body),
  }).formData();
}

/** Field names in order (the DOM lib in this tsconfig lacks FormData's iterators). */
export function formKeys(form: FormData): string[] {
  const keys: string[] = [];
  form.forEach((_value, key) => {
    keys.push(key);
  });
  return keys;
}

export const GEN = (status: string, extra: Record<string, unknown> = {}) => ({
  generationId: 'gen_1',
  status,
  productExternalId: 'p1',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:01.000Z',
  ...extra,
});
