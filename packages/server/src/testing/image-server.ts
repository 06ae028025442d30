/** A local HTTP server that serves given bytes at given paths (product and person image URLs in tests). */
import { createServer, type Server } from 'node:http';

export interface ImageServer {
  url(path: string): string;
  /** How many times each path was requested. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

export async function startImageServer(
  files: Record<string, { data: Uint8Array; contentType?: string }>,
): Promise<ImageServer> {
  const hits = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    if (path === '/redirect-to-file') {
      res.writeHead(302, { location: Object.keys(files)[0] ?? '/' }).end();
      return;
    }
    const f = files[path];
    if (!f) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': f.contentType ?? 'image/jpeg', 'content-length': f.data.length }).end(f.data);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    hits,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
