import { ENDPOINTS } from '../endpoints.js';
import { defaultFilename, toBlob } from '../multipart.js';
import type { RequestOptions, Transport } from '../transport.js';
import type { BinaryData, UploadImageOptions, UploadImageResponse } from '../types.js';

export class Images {
  constructor(private readonly transport: Transport) {}

  /**
   * Uploads a shopper photo (`POST /images/upload`, multipart field `file`). Pass the returned `imageId` as
   * `person.image.source.id`; it stays valid for the retention window, so upload once per shopper session.
   *
   * Retried automatically on 429/5xx/network errors: a retry may store the photo twice, which costs no credit and
   * expires with retention, while failing a shopper's upload on a transient error costs more.
   *
   * @example
   * import { readFile } from 'node:fs/promises';
   * const { imageId } = await client.images.upload(await readFile('me.jpg'), {
   *   mimeType: 'image/jpeg',
   *   externalUserId: 'user-123',
   * });
   */
  async upload(
    bytes: BinaryData,
    options: UploadImageOptions = {},
    requestOptions?: RequestOptions,
  ): Promise<UploadImageResponse> {
    const blob = toBlob(bytes, options.mimeType);
    const form = new FormData();
    form.append('file', blob, options.filename ?? defaultFilename('upload', blob.type || undefined));
    // Multipart fields are strings; the API reads booleans as "true"/"false".
    if (options.crop !== undefined) form.append('crop', options.crop ? 'true' : 'false');
    if (options.externalUserId !== undefined) form.append('externalUserId', options.externalUserId);
    if (options.keepForDays !== undefined) form.append('keepForDays', String(options.keepForDays));
    if (options.customerId !== undefined) form.append('customerId', options.customerId);
    if (options.retentionDays !== undefined) form.append('retentionDays', String(options.retentionDays));
    const res = await this.transport.request<UploadImageResponse>({
      endpoint: ENDPOINTS['images.upload'],
      form,
      options: requestOptions,
    });
    return res.data;
  }
}
