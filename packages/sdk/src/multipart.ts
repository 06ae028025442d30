import type { BinaryData, FileMap } from './types.js';

/** A Blob of `data` typed `mimeType` (or its own type). Copies only when the bytes are not in a plain ArrayBuffer. */
export function toBlob(data: BinaryData, mimeType?: string): Blob {
  if (data instanceof Blob) {
    if (mimeType === undefined || data.type === mimeType) return data;
    return data.slice(0, data.size, mimeType);
  }
  const type = mimeType ?? 'application/octet-stream';
  if (data instanceof ArrayBuffer) return new Blob([data], { type });
  if (ArrayBuffer.isView(data)) {
    // A view over a SharedArrayBuffer is not a valid BlobPart; copy it into a fresh ArrayBuffer in that case.
    const view =
      data.buffer instanceof ArrayBuffer ? (data as Uint8Array<ArrayBuffer>) : new Uint8Array(data as Uint8Array);
    return new Blob([view], { type });
  }
  throw new TypeError('Expected a Uint8Array, ArrayBuffer or Blob');
}

/**
 * The multipart form the API expects for JSON-plus-files requests (`POST /try-on`, `/try-on/sync`, `/products`): the
 * JSON body as a text field named `data`, then every file as a part named by its `fileKey`.
 */
function buildJsonWithFilesForm(json: unknown, files: FileMap): FormData {
  const form = new FormData();
  form.append('data', JSON.stringify(json));
  for (const [key, file] of Object.entries(files)) {
    if (key === 'data') throw new TypeError('"data" is reserved for the JSON body and cannot be a file key');
    form.append(key, toBlob(file.data, file.mimeType), file.filename ?? key);
  }
  return form;
}

/** The request body of a JSON-plus-files call: JSON, or the multipart form above when `files` has any entry. */
export function encodeJsonOrForm<T extends { files?: FileMap | undefined }>(
  body: T,
): { json?: unknown; form?: FormData } {
  const { files, ...json } = body;
  if (files && Object.keys(files).length > 0) return { form: buildJsonWithFilesForm(json, files) };
  return { json };
}

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/heic': 'heic',
  'image/heif': 'heif',
};

/** A filename whose extension matches the MIME type, for servers that look at it. */
export function defaultFilename(base: string, mimeType: string | undefined): string {
  const ext = mimeType ? EXTENSIONS[mimeType.toLowerCase()] : undefined;
  return ext ? `${base}.${ext}` : base;
}
