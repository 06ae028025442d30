/**
 * `fitroom mcp`: the MCP server over stdio (what Claude Desktop and other local clients start), or over Streamable
 * HTTP with `--http`. It is a client of a fitroom server (FITROOM_BASE_URL, default the local one) with the key in
 * FITROOM_API_KEY; it opens no database and reads none of the server's settings.
 *
 * Over stdio, stdout is the protocol channel: this command writes nothing else there (messages go to stderr).
 */
import { parseArgs } from 'node:util';
import { DEFAULT_BASE_URL, Fitroom } from '@fitroom/sdk';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { McpHttpConfigError, startMcpHttpServer } from './http.js';
import { createMcpServer } from './server.js';

export const DEFAULT_MCP_PORT = 8081;

/** Bad arguments or a missing setting: the CLI prints the message and its usage hint, and exits 2. */
export class McpUsageError extends Error {}

/** Runs `fitroom mcp [--http [--port N] [--host H]]` until it is stopped; `env` is the process environment. */
export async function runMcp(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  let values: { http?: boolean; port?: string; host?: string };
  try {
    values = parseArgs({
      args,
      allowPositionals: false,
      options: { http: { type: 'boolean' }, port: { type: 'string' }, host: { type: 'string' } },
    }).values;
  } catch (err) {
    throw new McpUsageError((err as Error).message);
  }
  const apiKey = env.FITROOM_API_KEY || env.GENLOOK_API_KEY || undefined;
  const baseUrl = env.FITROOM_BASE_URL || env.GENLOOK_BASE_URL || DEFAULT_BASE_URL;
  if (!values.http && (values.port !== undefined || values.host !== undefined)) {
    throw new McpUsageError('--port and --host go with --http');
  }

  if (values.http) {
    const port = values.port === undefined ? DEFAULT_MCP_PORT : Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new McpUsageError('--port must be 0–65535');
    const host = values.host ?? '127.0.0.1';
    let running: Awaited<ReturnType<typeof startMcpHttpServer>>;
    try {
      running = await startMcpHttpServer({ host, port, baseUrl, ...(apiKey ? { apiKey } : {}) });
    } catch (err) {
      if (err instanceof McpHttpConfigError) throw new McpUsageError(err.message);
      throw err;
    }
    console.log(
      `fitroom mcp listening on ${running.url} (Streamable HTTP) for the fitroom API at ${baseUrl}; ` +
        (apiKey ? 'callers without a key use FITROOM_API_KEY' : 'callers send `Authorization: Bearer gk_…`'),
    );
    const stop = async () => {
      await running.close();
      process.exit(0);
    };
    process.once('SIGINT', () => void stop());
    process.once('SIGTERM', () => void stop());
    return;
  }

  if (!apiKey) {
    throw new McpUsageError(
      'FITROOM_API_KEY is not set: give the MCP server the fitroom API key in its environment (see docs/mcp.md)',
    );
  }
  let client: Fitroom;
  try {
    client = new Fitroom({ apiKey, baseUrl });
  } catch (err) {
    throw new McpUsageError(`FITROOM_BASE_URL: ${(err as Error).message}`);
  }
  const server = createMcpServer(client, { allowLocalFiles: true });
  // The client ends the session by closing our stdin. No explicit exit then: the process ends by itself once the
  // calls in flight have written their answers.
  await server.connect(new StdioServerTransport());
  process.stderr.write(`fitroom mcp: ready on stdio, for the fitroom API at ${baseUrl}\n`);
}
