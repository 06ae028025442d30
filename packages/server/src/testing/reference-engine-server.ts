/**
 * A small reference implementation of the external engine protocol v1 (docs/external-engine.md), used by the tests:
 * it answers the person photo with the garment's thumbnail pasted top-left (so a test can tell it ran), 422 with a
 * typed code when no garment is sent, and lets a test hold requests (to kill a worker mid-job) or fail them.
 */
import { createServer, type IncomingMessage } from 'node:http';
import sharp from 'sharp';

export interface ReferenceEngineServer {
  url: string;
  requests: number;
  /** While set, requests hang until released (or the connection is dropped). */
  hold: boolean;
  /** Resolves when the next request arrives. */
  nextRequest(): Promise<void>;
  close(): Promise<void>;
}

async function readParts(req: IncomingMessage): Promise<Map<string, Buffer[]>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks);
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(req.headers['content-type'] ?? '');
  const parts = new Map<string, Buffer[]>();
  if (!boundary) return parts;
  const sep = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let start = body.indexOf(sep);
  while (start !== -1) {
    const next = body.indexOf(sep, start + sep.length);
    if (next === -1) break;
    const part = body.subarray(start + sep.length + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, headerEnd).toString('latin1');
    const name = /name="([^"]+)"/.exec(headers)?.[1];
    if (name) parts.set(name, [...(parts.get(name) ?? []), part.subarray(headerEnd + 4)]);
    start = next;
  }
  return parts;
}

export async function startReferenceEngine(): Promise<ReferenceEngineServer> {
  let waiters: Array<() => void> = [];
  const held: Array<() => void> = [];
  const state = { requests: 0, hold: false };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy()); // a client that died mid-request (the crash test) is fine
  });
  const handle = async (req: IncomingMessage, res: import('node:http').ServerResponse) => {
    if (req.method !== 'POST' || req.url !== '/v1/try-on') {
      res.writeHead(404).end();
      return;
    }
    state.requests++;
    const parts = await readParts(req);
    for (const w of waiters) w();
    waiters = [];
    if (state.hold) await new Promise<void>((r) => held.push(r));
    const person = parts.get('person')?.[0];
    const garment = parts.get('garment')?.[0];
    const meta = JSON.parse(parts.get('meta')?.[0]?.toString('utf8') ?? '{}');
    if (!person || meta.protocol !== 1) {
      res.writeHead(400).end();
      return;
    }
    if (!garment) {
      res.writeHead(422, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'GARMENT_NOT_DETECTED', message: 'No garment image was sent.' }));
      return;
    }
    const thumb = await sharp(garment).resize(64, 64).toBuffer();
    const out = await sharp(person)
      .composite([{ input: thumb, left: 0, top: 0 }])
      .jpeg()
      .toBuffer();
    res.writeHead(200, { 'content-type': 'image/jpeg' }).end(out);
  };
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    get hold() {
      return state.hold;
    },
    set hold(v: boolean) {
      state.hold = v;
      if (!v) for (const r of held.splice(0)) r();
    },
    nextRequest: () => new Promise<void>((r) => waiters.push(r)),
    close: () =>
      new Promise<void>((r) => {
        state.hold = false;
        for (const h of held.splice(0)) h();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
