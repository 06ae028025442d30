/**
 * fitroom's MCP server over Streamable HTTP (`fitroom mcp --http`), stateless: every POST builds its own MCP server
 * around an SDK client made with that request's key, so callers with different keys never share a client, and any
 * number of these processes can sit behind a load balancer.
 *
 * The key is the caller's (`Authorization: Bearer gk_…`, or `x-api-key`), else FITROOM_API_KEY of this process. The
 * latter is allowed only on a loopback address: on any other, every caller on the network would spend its credits.
 * Nothing here logs a request's headers.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Fitroom } from '@fitroom/sdk';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpServer } from './server.js';
import type { ToolOptions } from './tools.js';

export const MCP_PATH = '/mcp';
/** A 10 MB photo sent as base64 in a tool call, with room for the JSON around it. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export interface McpHttpOptions {
  host: string;
  /** 0 picks a free port (see `url` of the result). */
  port: number;
  /** The fitroom API root (…/tryon/v1); the SDK's default (FITROOM_BASE_URL, else the local server) when omitted. */
  baseUrl?: string;
  /** The key for callers that send none (FITROOM_API_KEY). Refused unless `host` is a loopback address. */
  apiKey?: string;
  /** Test seam: lets upload_photo fetch the local image server. */
  allowPrivateUrls?: boolean;
  /** Where transport failures are reported (one line each, never a header). Default: stderr. */
  onError?: (message: string) => void;
}

export interface RunningMcpHttp {
  /** e.g. http://127.0.0.1:8081/mcp */
  url: string;
  close(): Promise<void>;
}

export const isLoopbackHost = (host: string): boolean => LOOPBACK_NAMES.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);

export class McpHttpConfigError extends Error {}

export async function startMcpHttpServer(options: McpHttpOptions): Promise<RunningMcpHttp> {
  const loopback = isLoopbackHost(options.host);
  if (options.apiKey && !loopback) {
    throw new McpHttpConfigError(
      `FITROOM_API_KEY is set and --host ${options.host} is not a loopback address: every caller that can reach it ` +
        'would spend that account’s credits. Unset FITROOM_API_KEY (callers then send their own key as ' +
        '`Authorization: Bearer gk_…`), or listen on 127.0.0.1.',
    );
  }
  const onError = options.onError ?? ((m: string) => process.stderr.write(`fitroom mcp: ${m}\n`));
  const toolOptions: ToolOptions = { allowLocalFiles: false, allowPrivateUrls: options.allowPrivateUrls ?? false };

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      onError(`request failed: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) rpcError(res, 500, -32603, 'Internal error');
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== MCP_PATH) return rpcError(res, 404, -32000, `Not found: the MCP endpoint is ${MCP_PATH}`);
    // DNS rebinding: a web page whose domain re-resolves to 127.0.0.1 reaches this port with its own Host header; a
    // loopback-bound server answers only to loopback names.
    if (loopback && !isLoopbackHost(hostnameOf(req.headers.host))) {
      return rpcError(res, 403, -32000, 'Forbidden: unexpected Host header');
    }
    if (req.method !== 'POST') {
      // Stateless: no session, so no server-to-client stream (GET) and nothing to end (DELETE).
      res.setHeader('allow', 'POST');
      return rpcError(res, 405, -32000, 'Method not allowed: POST JSON-RPC messages to this endpoint');
    }
    const apiKey = callerKey(req) ?? options.apiKey;
    if (!apiKey) {
      res.setHeader('www-authenticate', 'Bearer realm="fitroom"');
      return rpcError(res, 401, -32001, 'No API key: send `Authorization: Bearer gk_…` (your fitroom API key)');
    }
    const body = await readJson(req, res);
    if (body === undefined) return;

    const client = new Fitroom({ apiKey, ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}) });
    const mcp = createMcpServer(client, toolOptions);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    transport.onerror = (err) => onError(`transport: ${err.message}`);
    // Closing on 'close' (the answer sent, or the caller gone) also aborts a try_on still waiting for its result.
    res.on('close', () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as { port: number };
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${shownHost}:${port}${MCP_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function hostnameOf(host: string | undefined): string {
  if (!host) return '';
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  return host.split(':')[0] ?? '';
}

function callerKey(req: IncomingMessage): string | undefined {
  const bearer = /^Bearer +(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
  if (bearer) return bearer;
  const header = req.headers['x-api-key'];
  return typeof header === 'string' && header !== '' ? header : undefined;
}

/** The JSON body within MAX_BODY_BYTES, or undefined after answering the error. */
async function readJson(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
    rpcError(res, 413, -32000, `Request body over ${MAX_BODY_BYTES} bytes`);
    req.resume();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      rpcError(res, 413, -32000, `Request body over ${MAX_BODY_BYTES} bytes`);
      req.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    rpcError(res, 400, -32700, 'Parse error: the body is not JSON');
    return undefined;
  }
}

function rpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}
