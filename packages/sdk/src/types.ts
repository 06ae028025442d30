// Request and response types of the Genlook Virtual Try-On API v1 as fitroom serves it (spec §2, §3, §8).
// Request types accept the canonical 1.4.0 shapes AND every deprecated shape the server still accepts, so code written
// for either generation of the Genlook example app type-checks unchanged. Response field lists that tests compare with
// the server's OpenAPI document live in response-fields.ts; keep the two in step (the compiler enforces it).

/** Retention choices for uploads and generation outputs. */
export type KeepForDays = 1 | 3 | 7;

/** Bytes the SDK can send. A Node `Buffer` is a `Uint8Array`, so it fits too. */
export type BinaryData = Uint8Array | ArrayBuffer | Blob;

/** A file sent as one multipart part, named by its key in `files`. */
export interface FileInput {
  data: BinaryData;
  /** Defaults to the part name (the key in `files`). */
  filename?: string;
  /** Defaults to the Blob's own type, else `application/octet-stream`. */
  mimeType?: string;
}

/**
 * Files for a multipart request: each key is a `fileKey` referenced from the body (`{source: {fileKey: 'product'}}`)
 * and becomes a part of that name; the body itself goes as JSON in the `data` field.
 */
export type FileMap = Record<string, FileInput>;

// ---------------------------------------------------------------------------------------------------------------
// Images

export interface UploadImageOptions {
  /** MIME type of `bytes` (`image/jpeg`, `image/png`, `image/webp`, `image/heic`). Defaults to the Blob's type. */
  mimeType?: string;
  /** Defaults to `upload` plus an extension derived from `mimeType`. */
  filename?: string;
  /** The person-aware 4:5 crop; the server defaults to `true`. Send `false` for studio shots. */
  crop?: boolean;
  /** Opaque end-user id (no PII); makes the upload erasable with `customers.delete(id)`. */
  externalUserId?: string;
  /** Days until the file is deleted (the account default applies when omitted). */
  keepForDays?: KeepForDays;
  /** @deprecated Since 1.4.0: use `externalUserId`. */
  customerId?: string;
  /** @deprecated Since 1.4.0: use `keepForDays`. */
  retentionDays?: KeepForDays;
}

export interface UploadImageResponse {
  /** Opaque token for `person.image.source.id`. */
  imageId: string;
  /** Temporary signed URL of the processed image. */
  imageUrl: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Sources

/** Where a product image comes from: a URL the server downloads, or a multipart part named in `files`. */
export type ProductImageSource = { url: string; fileKey?: never } | { fileKey: string; url?: never };

/** Free-form classification hints for a product image. */
export type ImageClassifications = Record<string, unknown>;

/** Canonical (1.3.0+) product image entry. */
export interface ProductImageInput {
  source: ProductImageSource;
  classifications?: ImageClassifications;
  role?: string | null;
}

/** @deprecated Since 1.3.0: the flat form `{url}` / `{fileKey}`; use `{source: {...}}`. */
export type LegacyProductImageInput = ProductImageSource & {
  classifications?: ImageClassifications;
  role?: string | null;
};

/** Exactly one of `id` (from `images.upload`), `url` or `fileKey`. */
export type PersonImageSource =
  | { id: string; url?: never; fileKey?: never }
  | { url: string; id?: never; fileKey?: never }
  | { fileKey: string; id?: never; url?: never };

// ---------------------------------------------------------------------------------------------------------------
// Try-on

/**
 * A product in a try-on. Three modes: reference (`{externalId}` only; 404 `PRODUCT_NOT_FOUND` if unknown), inline
 * upsert (`externalId` plus title/description/images; lives 15 days from last use), one-shot (no `externalId`; the
 * server generates one and returns it as `productExternalId`).
 */
export interface TryOnProductInput {
  externalId?: string;
  title?: string;
  description?: string;
  images?: Array<ProductImageInput | LegacyProductImageInput>;
}

export interface PersonInput {
  image: { source: PersonImageSource };
}

export interface TryOnOutputOptions {
  /** `false` skips the account's watermark for this generation (a no-op when the account has no logo). */
  watermark?: boolean;
  /** Days the generation's stored images are kept. */
  keepForDays?: KeepForDays;
  /** `true` adds a small visible "AI-generated" label and an XMP/EXIF note. */
  aiLabel?: boolean;
}

interface TryOnRequestCommon {
  /** Opaque end-user id (no PII); makes the generation erasable with `customers.delete(id)`. */
  externalUserId?: string;
  output?: TryOnOutputOptions;
  /**
   * fitroom's extension (not in Genlook v1): where the generation's terminal event is POSTed, signed, instead of the
   * account's webhook endpoint. Check it with `verifyWebhook`; see fitroom's docs/webhooks.md.
   */
  webhookUrl?: string;
  /** Sending files switches the request to multipart (JSON in `data`, each file as a part named by its key). */
  files?: FileMap;
  /** @deprecated Since 1.4.0: use `externalUserId`. */
  customerId?: string;
  /** @deprecated Since 1.4.0: use `output.watermark`. */
  useWatermark?: boolean;
  /** @deprecated Since 1.4.0: use `output.keepForDays`. */
  retentionDays?: KeepForDays;
}

type TryOnProductPart =
  | {
      /**
       * Exactly one item, as in Genlook v1. fitroom's extension: an account allowed outfits (its operator set
       * `fitroom accounts set --outfit-items N`) may send up to N products (a top and a bottom, or a dress and
       * outerwear), dressed in one generation at one credit each; see fitroom's docs/compatibility.md.
       */
      products: TryOnProductInput[];
      product?: never;
    }
  | {
      /** @deprecated Since 1.4.0: use `products: [ ... ]`. */
      product: TryOnProductInput;
      products?: never;
    };

type TryOnPersonPart =
  | { person: PersonInput; customer?: never }
  | {
      /** @deprecated Since 1.4.0: use `person.image.source`. The flat form is deprecated since 1.3.0. */
      customer: PersonImageSource | { source: PersonImageSource };
      person?: never;
    };

/** Body of `POST /try-on` and `POST /try-on/sync`, canonical or deprecated shape, plus optional `files`. */
export type TryOnRequest = TryOnRequestCommon & TryOnProductPart & TryOnPersonPart;

export type GenerationStatus = 'PENDING' | 'PROCESSING' | 'COMPLETED' | 'FAILED';

/** Answer of `POST /try-on`. */
export interface TryOnResponse {
  generationId: string;
  status: GenerationStatus;
  /** The product's id: the one sent, or the server-generated `_anon_…` id of a one-shot product. */
  productExternalId: string;
  /** fitroom's extension: an outfit's product ids, in the request's order; absent for a single product. */
  productExternalIds?: string[];
}

/** `GET /generations/:id`. */
export interface Generation {
  generationId: string;
  status: GenerationStatus;
  /** The product tried on. fitroom always sends it; Genlook's docs list it only on the `/try-on` answer. */
  productExternalId: string;
  /** fitroom's extension: an outfit's product ids, in the request's order; absent for a single product. */
  productExternalIds?: string[];
  /** Temporary signed URL; only when `COMPLETED` (and until retention removes it). */
  resultImageUrl?: string;
  /** Human-readable; only when `FAILED`. */
  errorMessage?: string;
  /** Stable code (e.g. `PRODUCT_IMAGE_FETCH_FAILED`) when `FAILED` with a typed error. */
  errorCode?: string;
  /** ISO-8601. */
  createdAt: string;
  /** ISO-8601, time of the last status change. */
  updatedAt: string;
}

/**
 * Answer of `POST /try-on/sync`. HTTP 200 carries the terminal generation (`status` `COMPLETED` or `FAILED`); HTTP
 * 202 means it was still running when the server stopped waiting (`status` `PENDING` or `PROCESSING`): continue with
 * `generations.waitFor(result.generationId)`. So `status` tells which of the two answers arrived.
 */
export interface TryOnSyncResponse extends Omit<Generation, 'createdAt' | 'updatedAt'> {
  /** ISO-8601; on the 200 answer. */
  createdAt?: string;
  /** ISO-8601; on the 200 answer. */
  updatedAt?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Products

/** Body of `POST /products` (an upsert on `externalId`), plus optional `files`. */
export interface ProductUpsertRequest {
  /** Your product id; must not start with `_anon_` (reserved for generated ids). */
  externalId: string;
  /** Preserved on update when omitted. */
  title?: string;
  /** Preserved on update when omitted. */
  description?: string;
  /** Required on create. Replaces the whole image list on update. */
  images?: Array<ProductImageInput | LegacyProductImageInput>;
  /** @deprecated Alpha alias of `images: [{source: {url}}]`. */
  imageUrls?: string[];
  /** 1–365 days from last use, or `null` to keep the product forever (the default for this endpoint). */
  validForDays?: number | null;
  /** Your own data, echoed back. */
  metadata?: Record<string, unknown> | null;
  autoDetectImageRoles?: boolean;
  /** Sending files switches the request to multipart (JSON in `data`, each file as a part named by its key). */
  files?: FileMap;
}

export interface ProductImage {
  /** Where the image was fetched from (or a server URL for uploaded files). */
  sourceUrl: string | null;
  role: string | null;
  order: number;
}

export interface Product {
  externalId: string;
  /** `""` when the product has none. */
  title: string;
  /** `""` when the product has none. */
  description: string;
  metadata: Record<string, unknown> | null;
  autoDetectImageRoles: boolean;
  validForDays: number | null;
  expiresAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
  updatedAt: string;
  images: ProductImage[];
}

export interface ListProductsParams {
  /** 1–200; the server defaults to 50. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface ProductList {
  items: Product[];
  nextCursor: string | null;
  hasMore: boolean;
  /** Number of items in this page. */
  count: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Account and errors

export interface CreditsResponse {
  creditBalance: number;
}

export interface ErrorDetail {
  path: string;
  message: string;
}

/** The error envelope of every non-2xx answer. */
export interface ErrorBody {
  code: string;
  message: string;
  status: number;
  details?: ErrorDetail[];
}
