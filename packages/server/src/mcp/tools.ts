/**
 * fitroom's MCP tools, defined once for every transport: each is a name, a description written for a model, a zod
 * input shape (the MCP SDK turns it into the tool's JSON Schema and validates calls against it) and a handler that
 * goes through the fitroom SDK. The handlers never see the API key: it lives inside the SDK client they are given.
 *
 * Results carry `structuredContent` (the data, or `{errorCode, message, …}` on an error) and the same JSON as text,
 * for clients that read only `content`. No `outputSchema`: the MCP client validates `structuredContent` against it
 * even on error results, and an error's shape is not the data's.
 */
import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  APIConnectionError,
  type Fitroom,
  FitroomError,
  type Generation,
  GenerationFailedError,
  GenerationTimeoutError,
  type TryOnProductInput,
  type TryOnRequest,
} from '@fitroom/sdk';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { FetchError, safeFetch } from '../net/safe-fetch.js';

/** The API's own upload limit (config.maxUploadBytes): refusing bigger photos here saves reading and sending them. */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
/** Result images up to this size are attached as MCP image content; bigger ones are given as their URL only. */
export const MAX_INLINE_IMAGE_BYTES = 1024 * 1024;
/** Below the 60 s request timeout of the MCP SDK's clients, so the answer (finished or not) arrives before it. */
export const DEFAULT_WAIT_SECONDS = 50;

export interface ToolOptions {
  /**
   * Whether `upload_photo` may read a local file by path. True for stdio, where the MCP server runs as the user who
   * configured it; false over HTTP, where it would let any caller read the MCP host's files.
   */
  allowLocalFiles: boolean;
  /**
   * Whether `upload_photo` may download photo URLs on private and loopback addresses. False outside tests: the MCP
   * server would otherwise fetch intranet URLs on a caller's (or a prompt-injected model's) behalf.
   */
  allowPrivateUrls?: boolean;
  /** Between polls while `try_on` waits (ms). */
  pollIntervalMs?: number;
}

/** What a tool handler gets besides its arguments: the request's cancellation, and a way to report progress. */
export interface ToolContext {
  options: ToolOptions;
  signal: AbortSignal;
  /** Sends `notifications/progress` when the caller asked for progress (a `progressToken`); otherwise does nothing. */
  progress(progress: number, message: string): Promise<void>;
}

export interface ToolDefinition<Shape extends z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  inputSchema: Shape;
  annotations: { readOnlyHint: boolean; idempotentHint?: boolean; openWorldHint: boolean; destructiveHint?: boolean };
  /** Throws on failure (a `ToolError` or the SDK's error); the server turns it into a tool error with `toolError`. */
  handler(client: Fitroom, args: z.objectOutputType<Shape, z.ZodTypeAny>, ctx: ToolContext): Promise<CallToolResult>;
}

/** A tool error the model can act on: fitroom's error code first, then the message. */
export class ToolError extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

function ok(data: Record<string, unknown>, extra: CallToolResult['content'] = []): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(data) }, ...extra], structuredContent: data };
}

/**
 * Any failure as an MCP tool error (`isError: true`), never as a JSON-RPC error: the model sees it and can react
 * (upload again, top up, fix an id). fitroom's code leads the text, so it survives clients that show only `content`.
 */
export function toolError(err: unknown, baseUrl?: string): CallToolResult {
  let data: Record<string, unknown>;
  if (err instanceof ToolError) {
    data = { errorCode: err.errorCode, message: err.message, ...err.extra };
  } else if (err instanceof GenerationFailedError) {
    data = {
      errorCode: err.errorCode ?? 'GENERATION_FAILED',
      message: err.errorMessage ?? err.message,
      generationId: err.generationId,
      // The server refunds the credit of a failed generation; saying so stops a model from apologising for a charge.
      refunded: true,
    };
  } else if (err instanceof FitroomError) {
    data = {
      errorCode: err.code,
      // No answer at all: name the address, since a wrong FITROOM_BASE_URL or a stopped server is the usual cause.
      message:
        err instanceof APIConnectionError && baseUrl ? `${err.message} (fitroom API at ${baseUrl})` : err.message,
      ...(err.status !== undefined ? { status: err.status } : {}),
      ...(err.details ? { details: err.details } : {}),
      ...(err.requestId ? { requestId: err.requestId } : {}),
    };
  } else {
    data = { errorCode: 'INTERNAL_ERROR', message: err instanceof Error ? err.message : String(err) };
  }
  return {
    isError: true,
    content: [{ type: 'text', text: `${data.errorCode}: ${data.message}\n${JSON.stringify(data)}` }],
    structuredContent: data,
  };
}

const keepForDays = z
  .union([z.literal(1), z.literal(3), z.literal(7)])
  .optional()
  .describe('Days fitroom keeps the stored images (1, 3 or 7; the account default when omitted).');
const externalUserId = z
  .string()
  .min(1)
  .max(255)
  .optional()
  .describe('Opaque id of the shopper (no personal data); lets their data be erased later.');

/**
 * Whether the bytes start like a format the API reads (JPEG, PNG, WebP, HEIC/HEIF/AVIF). Checked before anything is
 * sent, so a path that names some other file (a key, a document: a model can be talked into naming any path) never
 * leaves this machine; the server still decodes and judges the actual image.
 */
export function looksLikeImage(b: Uint8Array): boolean {
  const ascii = (from: number, to: number) => Buffer.from(b.subarray(from, to)).toString('latin1');
  if (b.length < 12) return false;
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return true;
  if (b[0] === 0x89 && ascii(1, 4) === 'PNG') return true;
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return true;
  return ascii(4, 8) === 'ftyp';
}

/** Reads one photo from exactly one of a local path, a URL or base64, within the API's size limit. */
async function readPhoto(
  args: { path?: string | undefined; url?: string | undefined; base64?: string | undefined },
  options: ToolOptions,
  signal: AbortSignal,
): Promise<{ bytes: Uint8Array; filename?: string }> {
  const given = (['path', 'url', 'base64'] as const).filter((k) => args[k] !== undefined);
  if (given.length !== 1) {
    throw new ToolError('VALIDATION_FAILED', 'Give exactly one of path, url or base64.');
  }
  if (args.path !== undefined) {
    if (!options.allowLocalFiles) {
      throw new ToolError(
        'VALIDATION_FAILED',
        'This MCP server runs over HTTP and reads no local files: send the photo as base64 or a URL.',
      );
    }
    const size = await stat(args.path).then(
      (s) => (s.isFile() ? s.size : -1),
      () => -2,
    );
    if (size === -2) throw new ToolError('FILE_REQUIRED', `Cannot read ${args.path}: no such file.`);
    if (size === -1) throw new ToolError('FILE_REQUIRED', `${args.path} is not a file.`);
    if (size > MAX_PHOTO_BYTES) throw tooLarge(size);
    return { bytes: await readFile(args.path, { signal }), filename: basename(args.path) };
  }
  if (args.url !== undefined) {
    try {
      const fetched = await safeFetch(args.url, {
        timeoutMs: 20_000,
        maxBytes: MAX_PHOTO_BYTES,
        allowPrivate: options.allowPrivateUrls ?? false,
      });
      return { bytes: fetched.data, filename: basename(new URL(fetched.finalUrl).pathname) || 'photo' };
    } catch (err) {
      if (err instanceof FetchError && err.reason === 'too_large') throw tooLarge(undefined);
      // The API's own code for a person photo that could not be downloaded.
      const why = err instanceof FetchError ? err.message : 'download failed';
      throw new ToolError('CUSTOMER_IMAGE_FETCH_FAILED', `Could not download the photo: ${why}.`);
    }
  }
  const text = (args.base64 ?? '').replace(/^data:[^,]*;base64,/, '').replace(/\s+/g, '');
  if (text === '' || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    throw new ToolError('VALIDATION_FAILED', 'base64 is not base64 (a data: URL is fine too).');
  }
  // Checked before decoding, so a huge string costs no second copy: 4 characters carry 3 bytes.
  if (Math.floor((text.length * 3) / 4) > MAX_PHOTO_BYTES + 2) throw tooLarge(undefined);
  return { bytes: Buffer.from(text, 'base64') };
}

const tooLarge = (size: number | undefined) =>
  new ToolError(
    'FILE_TOO_LARGE',
    `The photo is larger than ${MAX_PHOTO_BYTES / 1024 / 1024} MB${size ? ` (${size} bytes)` : ''}.`,
  );

/**
 * The result image as MCP image content when it is small, so a chat client shows it inline; otherwise a note. The URL
 * comes from the configured fitroom server (a signed URL on it, or on its bucket), so it is fetched as given.
 */
async function resultImage(url: string, signal: AbortSignal): Promise<CallToolResult['content']> {
  try {
    const res = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(15_000)]) });
    if (!res.ok || !res.body) return [];
    const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    if (!type.startsWith('image/')) {
      await res.body.cancel();
      return [];
    }
    const declared = Number(res.headers.get('content-length') ?? 0);
    const note = (size: string): CallToolResult['content'] => [
      { type: 'text', text: `The image (${size}) is not attached; open resultImageUrl to see it.` },
    ];
    if (declared > MAX_INLINE_IMAGE_BYTES) {
      await res.body.cancel();
      return note(`${declared} bytes`);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > MAX_INLINE_IMAGE_BYTES) {
        await reader.cancel();
        return note(`over ${MAX_INLINE_IMAGE_BYTES} bytes`);
      }
      chunks.push(value);
    }
    return [{ type: 'image', data: Buffer.concat(chunks).toString('base64'), mimeType: type }];
  } catch {
    // The image is a convenience: the result stands without it, and its URL is in the text.
    return [];
  }
}

const STILL_RUNNING = 'Still running: call get_generation with this generationId in a few seconds.';

/** A generation as tools return it: the API's fields, and what to do next when it is not finished. */
function generationData(g: Generation): Record<string, unknown> {
  return {
    generationId: g.generationId,
    status: g.status,
    productExternalId: g.productExternalId,
    ...(g.resultImageUrl ? { resultImageUrl: g.resultImageUrl } : {}),
    ...(g.errorCode ? { errorCode: g.errorCode } : {}),
    ...(g.errorMessage ? { errorMessage: g.errorMessage } : {}),
    createdAt: g.createdAt,
    updatedAt: g.updatedAt,
    ...(g.status === 'PENDING' || g.status === 'PROCESSING' ? { next: STILL_RUNNING } : {}),
  };
}

async function generationResult(g: Generation, signal: AbortSignal): Promise<CallToolResult> {
  const image = g.status === 'COMPLETED' && g.resultImageUrl ? await resultImage(g.resultImageUrl, signal) : [];
  return ok(generationData(g), image);
}

const uploadPhotoShape = {
  path: z
    .string()
    .min(1)
    .optional()
    .describe('Path of a photo on this machine (only when the server runs over stdio).'),
  url: z.string().url().optional().describe('http(s) URL of the photo on a public address; this server downloads it.'),
  base64: z.string().min(1).optional().describe('The photo itself, base64-encoded (a data: URL works too).'),
  crop: z
    .boolean()
    .optional()
    .describe('The person-aware 4:5 crop (default true). false for photos already framed on the person.'),
  keepForDays,
  externalUserId,
};

const tryOnShape = {
  personImageId: z.string().min(1).optional().describe('The imageId that upload_photo returned.'),
  personImageUrl: z
    .string()
    .url()
    .optional()
    .describe('Instead of personImageId: a public URL of the photo, downloaded by the fitroom server.'),
  productExternalId: z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe(
      'A product of the catalogue (see list_products), or the id to save a new one under with productImageUrl.',
    ),
  productImageUrl: z
    .string()
    .url()
    .optional()
    .describe('A public URL of the garment photo: tries on that garment (saved under productExternalId when given).'),
  productTitle: z.string().max(500).optional().describe('Title of the garment given by productImageUrl.'),
  productDescription: z.string().max(5000).optional().describe('Description of that garment.'),
  waitSeconds: z
    .number()
    .int()
    .min(0)
    .max(600)
    .default(DEFAULT_WAIT_SECONDS)
    .describe('How long to wait for the result; after it, the answer says to call get_generation.'),
  keepForDays,
  externalUserId,
};

/** Every tool fitroom's MCP server offers, in the order `tools/list` shows them. */
export const TOOLS = [
  {
    name: 'upload_photo',
    title: 'Upload a photo of a person',
    description:
      'Uploads a photo of the person who will try clothes on (from a local path, a URL or base64) and returns its ' +
      'imageId for try_on. Costs no credit. Full-body or half-body photos of one person facing the camera work best.',
    inputSchema: uploadPhotoShape,
    annotations: { readOnlyHint: false, openWorldHint: true, destructiveHint: false },
    async handler(client, args, ctx) {
      const photo = await readPhoto(args, ctx.options, ctx.signal);
      if (!looksLikeImage(photo.bytes)) {
        throw new ToolError('INVALID_IMAGE', 'That is not a JPEG, PNG, WebP or HEIC photo; nothing was uploaded.');
      }
      const uploaded = await client.images.upload(
        photo.bytes,
        {
          ...(photo.filename ? { filename: photo.filename } : {}),
          ...(args.crop !== undefined ? { crop: args.crop } : {}),
          ...(args.keepForDays !== undefined ? { keepForDays: args.keepForDays } : {}),
          ...(args.externalUserId !== undefined ? { externalUserId: args.externalUserId } : {}),
        },
        { signal: ctx.signal },
      );
      return ok({ imageId: uploaded.imageId, imageUrl: uploaded.imageUrl });
    },
  } satisfies ToolDefinition<typeof uploadPhotoShape>,
  {
    name: 'try_on',
    title: 'Try a garment on a person',
    description:
      'Dresses the person (personImageId from upload_photo, or personImageUrl) in one garment (productExternalId ' +
      'of the catalogue, or productImageUrl) and waits for the picture. Costs 1 credit, refunded if it fails. ' +
      'Returns resultImageUrl, and the image itself when it is small.',
    inputSchema: tryOnShape,
    annotations: { readOnlyHint: false, openWorldHint: true, destructiveHint: false },
    async handler(client, args, ctx) {
      if ((args.personImageId === undefined) === (args.personImageUrl === undefined)) {
        throw new ToolError('VALIDATION_FAILED', 'Give exactly one of personImageId or personImageUrl.');
      }
      if (args.productExternalId === undefined && args.productImageUrl === undefined) {
        throw new ToolError('VALIDATION_FAILED', 'Give productExternalId, productImageUrl, or both.');
      }
      // A reference to the catalogue when only the id is given; otherwise the product inline (saved under the id when
      // there is one, else a one-shot product that the server names).
      const product: TryOnProductInput =
        args.productImageUrl === undefined
          ? { externalId: args.productExternalId }
          : {
              ...(args.productExternalId !== undefined ? { externalId: args.productExternalId } : {}),
              ...(args.productTitle !== undefined ? { title: args.productTitle } : {}),
              ...(args.productDescription !== undefined ? { description: args.productDescription } : {}),
              images: [{ source: { url: args.productImageUrl } }],
            };
      const body: TryOnRequest = {
        products: [product],
        person: {
          image: {
            source: args.personImageId !== undefined ? { id: args.personImageId } : { url: args.personImageUrl! },
          },
        },
        ...(args.externalUserId !== undefined ? { externalUserId: args.externalUserId } : {}),
        ...(args.keepForDays !== undefined ? { output: { keepForDays: args.keepForDays } } : {}),
      };
      // A fresh idempotency key lets the SDK retry the charge-bearing POST on a network error without running (and
      // charging) a second generation.
      const started = await client.tryOn.create(body, { signal: ctx.signal, idempotencyKey: randomUUID() });
      await ctx.progress(0, `generation ${started.generationId} ${started.status}`);
      let done: Generation;
      try {
        done = await client.generations.waitFor(started.generationId, {
          timeoutMs: args.waitSeconds * 1000,
          pollIntervalMs: ctx.options.pollIntervalMs ?? 1000,
          signal: ctx.signal,
          onStatus: (g) => void ctx.progress(g.status === 'PROCESSING' ? 1 : 0, `${g.generationId} ${g.status}`),
        });
      } catch (err) {
        // Not finished in time is not a failure: the generation goes on, and get_generation picks it up.
        if (err instanceof GenerationTimeoutError) {
          return ok(
            err.generation
              ? generationData(err.generation)
              : {
                  generationId: started.generationId,
                  status: started.status,
                  productExternalId: started.productExternalId,
                  next: STILL_RUNNING,
                },
          );
        }
        throw err;
      }
      return generationResult(done, ctx.signal);
    },
  } satisfies ToolDefinition<typeof tryOnShape>,
  {
    name: 'get_generation',
    title: 'Check a try-on',
    description:
      'Reads a try-on by its generationId: PENDING, PROCESSING, COMPLETED (with resultImageUrl, and the image when it ' +
      'is small) or FAILED (with errorCode and errorMessage). Free.',
    inputSchema: { generationId: z.string().min(1).describe('The generationId that try_on returned.') },
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: true },
    async handler(client, args, ctx) {
      return generationResult(await client.generations.retrieve(args.generationId, { signal: ctx.signal }), ctx.signal);
    },
  } satisfies ToolDefinition<{ generationId: z.ZodString }>,
  {
    name: 'list_products',
    title: 'List the catalogue',
    description:
      'Lists the products saved in the account (their externalId, title, description and images), newest first, one ' +
      'page at a time. Use an externalId as try_on productExternalId. Free.',
    inputSchema: {
      limit: z.number().int().min(1).max(200).optional().describe('Products per page (default 50).'),
      cursor: z.string().min(1).optional().describe('nextCursor of the previous page.'),
    },
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: true },
    async handler(client, args, ctx) {
      const page = await client.products.list(
        { ...(args.limit !== undefined ? { limit: args.limit } : {}), ...(args.cursor ? { cursor: args.cursor } : {}) },
        { signal: ctx.signal },
      );
      return ok({ ...page });
    },
  } satisfies ToolDefinition<{ limit: z.ZodOptional<z.ZodNumber>; cursor: z.ZodOptional<z.ZodString> }>,
  {
    name: 'get_credits',
    title: 'Check credits',
    description: 'The account’s credit balance: each try-on costs 1 credit. Free.',
    inputSchema: {},
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: true },
    async handler(client, _args, ctx) {
      return ok({ ...(await client.account.credits({ signal: ctx.signal })) });
    },
  } satisfies ToolDefinition<Record<string, never>>,
] as const;
