/** Response shapes of the contract (spec §2), as Zod schemas: they document the API in openapi.json. */
import { z } from 'zod';

export const ErrorBody = z
  .object({
    code: z.string().describe('Stable error code, e.g. PRODUCT_NOT_FOUND'),
    message: z.string(),
    status: z.number().int(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .describe('Error envelope');

export const UploadResponse = z.object({
  imageId: z.string().describe('Opaque token; pass it as person.image.source.id'),
  imageUrl: z.string().describe('Signed URL of the processed image; expires'),
});

export const ProductImage = z.object({
  sourceUrl: z.string().nullable(),
  role: z.string().nullable(),
  order: z.number().int(),
});

export const Product = z.object({
  externalId: z.string(),
  title: z.string().describe('"" when the product has none'),
  description: z.string().describe('"" when the product has none'),
  metadata: z.record(z.unknown()).nullable(),
  autoDetectImageRoles: z.boolean(),
  validForDays: z.number().int().nullable(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  images: z.array(ProductImage),
});

export const ProductList = z.object({
  items: z.array(Product),
  nextCursor: z.string().nullable(),
  hasMore: z.boolean(),
  count: z.number().int(),
});

export const Credits = z.object({ creditBalance: z.number().int() });

export const GenerationStatus = z.enum(['PENDING', 'PROCESSING', 'COMPLETED', 'FAILED']);

export const Generation = z.object({
  generationId: z.string(),
  status: GenerationStatus,
  productExternalId: z.string(),
  productExternalIds: z
    .array(z.string())
    .optional()
    .describe(
      "fitroom's extension: an outfit's products in the request's order; absent for a single product (docs/compatibility.md)",
    ),
  resultImageUrl: z.string().optional().describe('Only when COMPLETED; signed and temporary'),
  errorCode: z.string().optional().describe('Only when FAILED with a typed error'),
  errorMessage: z.string().optional().describe('Only when FAILED'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const TryOnAccepted = z.object({
  generationId: z.string(),
  status: GenerationStatus,
  productExternalId: z.string(),
  productExternalIds: z
    .array(z.string())
    .optional()
    .describe(
      "fitroom's extension: an outfit's products in the request's order; absent for a single product (docs/compatibility.md)",
    ),
});

export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, { description: 'Error', schema: ErrorBody }]));
