/**
 * The product part of a request, in every shape Genlook accepts (spec §2.2, §2.6), reduced to one canonical form.
 * Canonical images are `{source:{url}|{fileKey}, classifications?, role?}`; the deprecated flat `{url}` /
 * `{fileKey, classifications}` and the alpha `imageUrls: string[]` are accepted too.
 */
import { z } from 'zod';
import { ApiError } from '../errors.js';
import { parseOrThrow } from '../http/validation.js';
import { ONE_SHOT_PREFIX } from '../ids.js';

const ImageSource = z.object({ url: z.string().optional(), fileKey: z.string().optional() }).passthrough();

export const WireProductImage = z
  .object({
    source: ImageSource.optional(),
    url: z.string().optional(),
    fileKey: z.string().optional(),
    classifications: z.record(z.unknown()).nullable().optional(),
    role: z.string().max(64).nullable().optional(),
  })
  .passthrough();

/** Fields shared by POST /products and the inline product of /try-on. */
export const WireProductFields = z.object({
  externalId: z.string().max(255).optional(),
  title: z.string().max(1000).nullable().optional(),
  description: z.string().max(10_000).nullable().optional(),
  images: z.array(WireProductImage).max(20).optional(),
  imageUrls: z.array(z.string()).max(20).optional(),
  metadata: z.record(z.unknown()).nullable().optional(),
  autoDetectImageRoles: z.boolean().optional(),
});

export const WireCatalogProduct = WireProductFields.extend({
  validForDays: z.number().int().min(1).max(365).nullable().optional(),
});

export type ImageInput =
  | { kind: 'url'; url: string; role: string | null; classifications: Record<string, unknown> | null }
  | { kind: 'file'; fileKey: string; role: string | null; classifications: Record<string, unknown> | null };

export interface ProductInput {
  externalId: string | undefined;
  title: string | null | undefined;
  description: string | null | undefined;
  /** undefined: keep the current images (update) */
  images: ImageInput[] | undefined;
  metadata: Record<string, unknown> | null | undefined;
  autoDetectImageRoles: boolean | undefined;
}

export const isHttpUrl = (u: string) => {
  try {
    const p = new URL(u).protocol;
    return p === 'http:' || p === 'https:';
  } catch {
    return false;
  }
};

/** Canonicalises the image list; `pathPrefix` names the product in error details (`products.0.`, or '' at the top). */
function canonicalImages(raw: z.infer<typeof WireProductFields>, pathPrefix: string): ImageInput[] | undefined {
  if (raw.images === undefined && raw.imageUrls === undefined) return undefined;
  const out: ImageInput[] = [];
  (raw.images ?? []).forEach((img, i) => {
    const url = img.source?.url ?? img.url;
    const fileKey = img.source?.fileKey ?? img.fileKey;
    const role = img.role ?? null;
    const classifications = img.classifications ?? null;
    if ((url === undefined) === (fileKey === undefined) || url === '' || fileKey === '') {
      throw new ApiError(
        'INVALID_IMAGE_INPUT',
        `${pathPrefix}images.${i} needs exactly one of source.url or source.fileKey.`,
      );
    }
    if (url !== undefined) {
      if (!isHttpUrl(url)) {
        throw new ApiError('VALIDATION_FAILED', undefined, [
          { path: `${pathPrefix}images.${i}.source.url`, message: 'Invalid url' },
        ]);
      }
      out.push({ kind: 'url', url, role, classifications });
    } else out.push({ kind: 'file', fileKey: fileKey!, role, classifications });
  });
  (raw.imageUrls ?? []).forEach((url, i) => {
    if (!isHttpUrl(url)) {
      throw new ApiError('VALIDATION_FAILED', undefined, [
        { path: `${pathPrefix}imageUrls.${i}`, message: 'Invalid url' },
      ]);
    }
    out.push({ kind: 'url', url, role: null, classifications: null });
  });
  return out;
}

export function toProductInput(raw: z.infer<typeof WireProductFields>, pathPrefix: string): ProductInput {
  return {
    externalId: raw.externalId,
    title: raw.title,
    description: raw.description,
    images: canonicalImages(raw, pathPrefix),
    metadata: raw.metadata,
    autoDetectImageRoles: raw.autoDetectImageRoles,
  };
}

/** The error for an externalId a client may not name (one-shot ids carry the reserved prefix); `path` locates it. */
export const reservedExternalId = (path: string) =>
  new ApiError('VALIDATION_FAILED', `externalId must not start with "${ONE_SHOT_PREFIX}" (reserved).`, [
    { path, message: `Must not start with "${ONE_SHOT_PREFIX}"` },
  ]);

/** POST /products body → input; EXTERNAL_ID_REQUIRED comes before any other validation, as Genlook does. */
export function parseCatalogProduct(body: unknown): ProductInput & { validForDays: number | null | undefined } {
  const obj = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  if (obj.externalId === undefined || obj.externalId === null || obj.externalId === '') {
    throw new ApiError('EXTERNAL_ID_REQUIRED');
  }
  const raw = parseOrThrow(WireCatalogProduct, obj);
  if (raw.externalId!.startsWith(ONE_SHOT_PREFIX)) throw reservedExternalId('externalId');
  return { ...toProductInput(raw, ''), validForDays: raw.validForDays };
}
