/**
 * The baseline of the GET /generations/:id benchmark: a bare Fastify route answering a constant JSON body.
 *
 * LOG=info: Fastify's own default request logging at `info` (its `incoming request` and `request completed` lines),
 * written to stdout through fitroom's log writer (batched, asynchronous). Otherwise no logger at all.
 */
import Fastify from 'fastify';
import { asyncStdout } from '../../packages/server/src/logging.js';

const app = Fastify({ logger: process.env.LOG === 'info' ? { level: 'info', stream: asyncStdout().stream } : false });
const body = {
  generationId: 'gen_0000000000000000000',
  status: 'COMPLETED',
  productExternalId: 'shirt-42',
  resultImageUrl: 'http://127.0.0.1/tryon/v1/files/x?exp=0&sig=x',
  createdAt: '2026-05-13T10:00:00.000Z',
  updatedAt: '2026-05-13T10:00:01.000Z',
};
app.get('/tryon/v1/generations/:id', async () => body);
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
console.log('ready');
