import { ENDPOINTS } from '../endpoints.js';
import { encodeJsonOrForm } from '../multipart.js';
import type { RequestOptions, Transport } from '../transport.js';
import type { TryOnRequest, TryOnResponse, TryOnSyncResponse } from '../types.js';

/** The server holds `/try-on/sync` open up to 90 s; the client waits a little longer so the 202 can arrive. */
export const SYNC_TIMEOUT_MS = 100_000;

export class TryOn {
  constructor(
    private readonly transport: Transport,
    private readonly syncTimeoutMs: number,
  ) {}

  /**
   * Starts a try-on (`POST /try-on`, 1 credit) and returns at once with `{generationId, status: 'PENDING',
   * productExternalId}`; follow it with `generations.waitFor(generationId)`.
   *
   * Not retried on 5xx or network errors unless you pass `idempotencyKey`: the server may have accepted (and charged)
   * the first attempt. A 429 is always retried, since the server answers it before doing anything.
   *
   * @example
   * const { generationId } = await client.tryOn.create({
   *   products: [{ externalId: 'shirt-42' }],
   *   person: { image: { source: { id: imageId } } },
   *   externalUserId: 'user-123',
   * });
   * const generation = await client.generations.waitFor(generationId);
   * console.log(generation.resultImageUrl);
   */
  async create(body: TryOnRequest, requestOptions?: RequestOptions): Promise<TryOnResponse> {
    const res = await this.transport.request<TryOnResponse>({
      endpoint: ENDPOINTS['tryOn.create'],
      ...encodeJsonOrForm(body),
      options: requestOptions,
    });
    return res.data;
  }

  /**
   * Runs a try-on and waits for it on the server (`POST /try-on/sync`, 1 credit). The answer is the generation when
   * it finished within the server's window (HTTP 200, `status` `COMPLETED` or `FAILED`), else `{generationId,
   * status: 'PENDING' | 'PROCESSING'}` (HTTP 202): then continue with `generations.waitFor`. A FAILED generation is
   * returned, not thrown.
   *
   * The default timeout is max(client `timeoutMs`, 100 s) because the server holds the request up to 90 s. Retries
   * follow the same rule as `create`.
   *
   * @example
   * let result = await client.tryOn.createSync({
   *   products: [{ externalId: 'shirt-42' }],
   *   person: { image: { source: { id: imageId } } },
   * });
   * if (result.status !== 'COMPLETED') result = await client.generations.waitFor(result.generationId);
   */
  async createSync(body: TryOnRequest, requestOptions?: RequestOptions): Promise<TryOnSyncResponse> {
    const res = await this.transport.request<TryOnSyncResponse>({
      endpoint: ENDPOINTS['tryOn.createSync'],
      ...encodeJsonOrForm(body),
      defaultTimeoutMs: this.syncTimeoutMs,
      options: requestOptions,
    });
    // The 202 body should carry the status; if a server omits it, say so explicitly so `status` still tells 200 from 202.
    if (res.status === 202 && res.data.status === undefined) return { ...res.data, status: 'PENDING' };
    return res.data;
  }
}
