/**
 * Test support for the hosted-engine adapters: a tiny HTTP server (node:http) that scripted fakes of the providers
 * run on, and the "drifting" result every fake draws by default (the person photo with its colours shifted and the
 * whole frame blurred, at the provider's own output size), which the identity pass must undo outside the garment.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

export type Handler = (req: IncomingMessage, body: Buffer, res: ServerResponse) => unknown;

export interface FakeServer {
  url: string;
  close(): Promise<void>;
}

export async function startFakeServer(handler: Handler): Promise<FakeServer> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    try {
      await handler(req, Buffer.concat(chunks), res);
    } catch (err) {
      if (!res.headersSent) sendJson(res, 500, { error: 'FakeCrashed', message: String(err) });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** The person photo drifted: colours shifted (+40 red, −30 blue), blurred, at `size` (default: its own), PNG. */
export async function driftedResult(person: Uint8Array, size?: { width: number; height: number }): Promise<Buffer> {
  let img = sharp(person).removeAlpha();
  if (size) img = img.resize(size.width, size.height, { fit: 'fill' });
  return img.blur(4).linear([1, 1, 1], [40, 0, -30]).png().toBuffer();
}

export function bytesOfDataUrl(url: unknown): Buffer | null {
  if (typeof url !== 'string') return null;
  const m = /^data:image\/[a-z]+;base64,(.+)$/s.exec(url);
  return m ? Buffer.from(m[1]!, 'base64') : null;
}
