/**
 * The MCP server factory: fitroom's tools (tools.ts) on an `McpServer` of the official SDK, working through one
 * fitroom SDK client. Transport-free: `fitroom mcp` connects it to stdio, and the HTTP transport builds one per request
 * with the caller's own key (http.ts).
 */
import { readFileSync } from 'node:fs';
import type { Fitroom } from '@fitroom/sdk';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import { TOOLS, type ToolContext, type ToolOptions, toolError } from './tools.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export function createMcpServer(client: Fitroom, options: ToolOptions): McpServer {
  const server = new McpServer(
    { name: 'fitroom', title: 'fitroom virtual try-on', version: VERSION },
    {
      instructions:
        'Virtual try-on: upload_photo a photo of a person, then try_on a garment (from list_products or an image URL) ' +
        'to get a picture of them wearing it. Each try-on costs 1 credit (get_credits).',
    },
  );
  for (const tool of TOOLS) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.inputSchema,
        annotations: { title: tool.title, ...tool.annotations },
      },
      async (args: unknown, extra: RequestHandlerExtra<ServerRequest, ServerNotification>): Promise<CallToolResult> => {
        const progressToken = extra._meta?.progressToken;
        const ctx: ToolContext = {
          options,
          signal: extra.signal,
          async progress(progress, message) {
            if (progressToken === undefined) return;
            // A lost notification must not fail the try-on it reports on.
            await extra
              .sendNotification({ method: 'notifications/progress', params: { progressToken, progress, message } })
              .catch(() => {});
          },
        };
        try {
          // The MCP SDK has validated `args` against this tool's own input shape.
          return await (tool.handler as (c: Fitroom, a: unknown, x: ToolContext) => Promise<CallToolResult>)(
            client,
            args,
            ctx,
          );
        } catch (err) {
          return toolError(err, client.baseUrl);
        }
      },
    );
  }
  return server;
}
