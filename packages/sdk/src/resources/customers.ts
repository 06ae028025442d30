import { ENDPOINTS } from '../endpoints.js';
import type { RequestOptions, Transport } from '../transport.js';

export class Customers {
  constructor(private readonly transport: Transport) {}

  /**
   * Erases a shopper's data (`DELETE /customers/:id`, 204): their person images and results are deleted and their
   * generations anonymised. `id` is the `externalUserId` sent on uploads and try-ons. Idempotent.
   *
   * @example
   * await client.customers.delete('user-123');
   */
  async delete(customerId: string, requestOptions?: RequestOptions): Promise<void> {
    await this.transport.request<undefined>({
      endpoint: ENDPOINTS['customers.delete'],
      params: { customerId },
      options: requestOptions,
    });
  }
}
