import { z } from 'zod';
import { ApiError } from '../errors.js';
import { readMultipart } from '../http/multipart.js';
import { defineRoute } from '../http/route.js';
import { errorResponses, UploadResponse } from '../http/schemas.js';
import { parseOrThrow } from '../http/validation.js';

const keepForDays = z.enum(['1', '3', '7'], { message: 'Expected 1, 3 or 7' }).transform(Number);
const formBool = z.enum(['true', 'false'], { message: "Expected 'true' or 'false'" }).transform((v) => v === 'true');

/** Multipart text fields (form values are strings). `customerId` / `retentionDays` are the deprecated 1.4.0 aliases. */
const UploadFields = z.object({
  crop: formBool.optional(),
  externalUserId: z.string().min(1).max(255).optional(),
  keepForDays: keepForDays.optional(),
  customerId: z.string().min(1).max(255).optional(),
  retentionDays: keepForDays.optional(),
});

export const uploadImageRoute = defineRoute({
  method: 'POST',
  url: '/images/upload',
  operationId: 'uploadImage',
  summary: 'Upload the shopper photo',
  description:
    'multipart/form-data with the photo in `file` (JPEG, PNG, WebP or HEIC, at most 10 MB and 40 megapixels). ' +
    'Orientation is applied, metadata stripped, colours converted to sRGB, and by default the photo is cropped to 4:5 ' +
    'around the detected person (`crop=false` keeps the framing).',
  tags: ['Images'],
  auth: true,
  consumes: ['multipart/form-data'],
  fileField: 'file',
  body: z.object({
    file: z.string().describe('The image file (binary)'),
    crop: z.enum(['true', 'false']).optional().describe('Default true'),
    externalUserId: z.string().optional().describe('Opaque end-user id (no PII), the key of DELETE /customers/:id'),
    keepForDays: z.enum(['1', '3', '7']).optional().describe("Default: the account's retention (7)"),
    customerId: z.string().optional().describe('Deprecated alias of externalUserId'),
    retentionDays: z.enum(['1', '3', '7']).optional().describe('Deprecated alias of keepForDays'),
  }),
  responses: { 200: { description: 'Stored', schema: UploadResponse }, ...errorResponses(400, 401, 413, 429) },
  async handler({ req, account, deps }) {
    if (!req.isMultipart()) throw new ApiError('FILE_REQUIRED');
    const { fields, files } = await readMultipart(req, deps.config.maxUploadBytes);
    const form = parseOrThrow(UploadFields, fields);
    const file = files.get('file');
    if (!file) throw new ApiError('FILE_REQUIRED');
    const image = await deps.images.normalize(file.data, form.crop ?? true);
    const row = await deps.images.store(deps.db, account.id, image, {
      kind: 'upload',
      externalUserId: form.externalUserId ?? form.customerId ?? null,
      keepForDays: form.keepForDays ?? form.retentionDays ?? account.retention_days,
    });
    return { imageId: row.id, imageUrl: await deps.images.signedUrl(row) };
  },
});
