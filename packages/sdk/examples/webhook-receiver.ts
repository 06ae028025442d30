// A webhook receiver for fitroom's generation events (docs/webhooks.md), with Node's http module only: verify the
// signature on the raw body, answer fast, and process each event id once (delivery is at-least-once).
//
//   FITROOM_WEBHOOK_SECRET=whsec_… node --import tsx examples/webhook-receiver.ts
import { createServer } from 'node:http';
import { verifyWebhook, WEBHOOK_SIGNATURE_HEADER, type WebhookEvent, WebhookVerificationError } from '@fitroom/sdk';

const secret = process.env.FITROOM_WEBHOOK_SECRET;
if (!secret) throw new Error('Set FITROOM_WEBHOOK_SECRET to the whsec_… secret `fitroom accounts set` printed.');

/** Event ids already handled. A real receiver keeps them in its database, beside what the event changed. */
const seen = new Set<string>();

function handle(event: WebhookEvent): void {
  if (event.type === 'generation.completed') console.log('ready:', event.data.generationId, event.data.resultImageUrl);
  else console.log('failed:', event.data.generationId, event.data.errorCode, event.data.errorMessage);
}

createServer(async (req, res) => {
  if (req.method !== 'POST') return void res.writeHead(405).end();
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let event: WebhookEvent;
  try {
    event = await verifyWebhook(Buffer.concat(chunks), req.headers[WEBHOOK_SIGNATURE_HEADER], secret);
  } catch (err) {
    // Not from your server (or replayed): refuse it and do nothing.
    return void res.writeHead(err instanceof WebhookVerificationError ? 400 : 500).end();
  }
  if (!seen.has(event.id)) {
    seen.add(event.id);
    handle(event);
  }
  // Any 2xx within 10 s ends the delivery; anything else is retried for about an hour.
  res.writeHead(204).end();
}).listen(Number(process.env.PORT ?? 3001));
