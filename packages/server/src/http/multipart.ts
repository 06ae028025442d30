/**
 * Reads a multipart request into memory with hard limits: files up to the 10 MB contract limit (413 FILE_TOO_LARGE
 * past it), a bounded number of parts, and small text fields (the `data` JSON of /try-on and /products).
 */
import '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';

export interface UploadedFile {
  field: string;
  filename: string;
  mimetype: string;
  data: Buffer;
}

export interface MultipartPayload {
  fields: Record<string, string>;
  files: Map<string, UploadedFile>;
}

export const MULTIPART_LIMITS = {
  files: 10,
  fields: 50,
  fieldSize: 1024 * 1024,
  parts: 64,
  headerPairs: 200,
};

export async function readMultipart(req: FastifyRequest, maxFileBytes: number): Promise<MultipartPayload> {
  const fields: Record<string, string> = {};
  const files = new Map<string, UploadedFile>();
  try {
    for await (const part of req.parts({ limits: { ...MULTIPART_LIMITS, fileSize: maxFileBytes } })) {
      if (part.type === 'file') {
        const data = await part.toBuffer();
        files.set(part.fieldname, { field: part.fieldname, filename: part.filename, mimetype: part.mimetype, data });
      } else {
        fields[part.fieldname] = String(part.value ?? '');
      }
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw new ApiError('FILE_TOO_LARGE');
    if (code === 'FST_PARTS_LIMIT' || code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT') {
      throw new ApiError('VALIDATION_FAILED', 'Too many multipart parts.');
    }
    if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE' || code === 'FST_PROTO_VIOLATION') {
      throw new ApiError('VALIDATION_FAILED', 'Malformed multipart body.');
    }
    if (err instanceof ApiError) throw err;
    // busboy reports a truncated or malformed stream as a plain Error.
    throw new ApiError('VALIDATION_FAILED', 'Malformed multipart body.');
  }
  return { fields, files };
}

/**
 * The JSON-or-multipart body of /try-on and /products: JSON as is; multipart with the JSON in a `data` field and each
 * `fileKey` naming a file part.
 */
export async function readJsonOrMultipart(
  req: FastifyRequest,
  maxFileBytes: number,
): Promise<{ body: unknown; files: Map<string, UploadedFile> }> {
  if (!req.isMultipart()) return { body: req.body ?? {}, files: new Map() };
  const { fields, files } = await readMultipart(req, maxFileBytes);
  if (fields.data === undefined) {
    throw new ApiError('VALIDATION_FAILED', 'A multipart request needs its JSON in a field named "data".', [
      { path: 'data', message: 'Required' },
    ]);
  }
  try {
    return { body: JSON.parse(fields.data), files };
  } catch {
    throw new ApiError('VALIDATION_FAILED', 'The "data" field is not valid JSON.', [
      { path: 'data', message: 'Invalid JSON' },
    ]);
  }
}
