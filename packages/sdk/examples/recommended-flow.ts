// The recommended integration flow, end to end:
//   1. upload the shopper's photo once (its imageId is reusable for the retention window);
//   2. start a try-on that only REFERENCES the product by id (cheap, no image transfer);
//   3. on ProductNotFoundError (first use, or the product expired), upsert the product with its image and retry once;
//   4. wait for the result with generations.waitFor.
//
// Run it against a running fitroom server (from the repository root):
//   FITROOM_API_KEY=gk_... FITROOM_BASE_URL=http://localhost:8080/tryon/v1 \
//     node --conditions=development --import tsx packages/sdk/examples/recommended-flow.ts [person.jpg] [product.jpg] [--mock]
// Without paths it uses the repository's test photos (test-photos/). `--mock` titles the product "mock", which
// fitroom's mock engine answers in well under a second with the person photo unchanged (it still costs one credit).
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Fitroom, type Generation, ProductNotFoundError, type TryOnResponse } from '@fitroom/sdk';

const FIXTURES = new URL('../../../test-photos/', import.meta.url);
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const mock = process.argv.includes('--mock');
const personPath = args[0] ?? fileURLToPath(new URL('person/woman-1.jpg', FIXTURES));
const productPath = args[1] ?? fileURLToPath(new URL('garment/upper-1.jpg', FIXTURES));

const MIME: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
};
const mimeOf = (path: string) => MIME[extname(path).toLowerCase()] ?? 'application/octet-stream';

// Reads FITROOM_API_KEY (or GENLOOK_API_KEY) and FITROOM_BASE_URL (or GENLOOK_BASE_URL) from the environment.
const client = new Fitroom();

// Your catalog's view of the product. The id is yours; the mock variant gets its own id, as in Genlook's example app.
const product = {
  externalId: mock ? 'demo-tee-01-mock' : 'demo-tee-01',
  title: mock ? 'mock' : 'Demo tee',
  description: 'Soft cotton, regular fit',
};
const shopperId = 'shopper-123'; // opaque, no PII: lets customers.delete(shopperId) erase this shopper's data

async function main(): Promise<void> {
  // 1. Upload once per shopper session and keep the imageId.
  const { imageId } = await client.images.upload(await readFile(personPath), {
    mimeType: mimeOf(personPath),
    externalUserId: shopperId,
  });
  console.log(`uploaded person photo → ${imageId}`);

  // 2. Reference the product. A try-on costs a credit, so the SDK retries one after a 5xx or a lost connection only
  //    with an idempotency key; fitroom answers a repeat with the first attempt's generation and charges once.
  const startTryOn = (): Promise<TryOnResponse> =>
    client.tryOn.create(
      {
        products: [{ externalId: product.externalId }],
        person: { image: { source: { id: imageId } } },
        externalUserId: shopperId,
      },
      { idempotencyKey: crypto.randomUUID() },
    );

  let started: TryOnResponse;
  try {
    started = await startTryOn();
  } catch (err) {
    if (!(err instanceof ProductNotFoundError)) throw err;
    // 3. Unknown or expired: register it (multipart, image as a file part referenced by fileKey) and retry once.
    console.log(`product ${product.externalId} not registered yet → upserting it`);
    await client.products.upsert({
      ...product,
      images: [{ source: { fileKey: 'front' } }],
      files: { front: { data: await readFile(productPath), mimeType: mimeOf(productPath) } },
    });
    started = await startTryOn();
  }
  console.log(`generation ${started.generationId} started (${started.status})`);

  // 4. Wait for the result; GenerationFailedError / GenerationTimeoutError are thrown otherwise.
  const done: Generation = await client.generations.waitFor(started.generationId, {
    timeoutMs: 180_000,
    onStatus: (g) => console.log(`  status: ${g.status}`),
  });
  console.log(`result: ${done.resultImageUrl}`);
  const { creditBalance } = await client.account.credits();
  console.log(`credits left: ${creditBalance}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
