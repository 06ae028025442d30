import { ENDPOINTS } from '../endpoints.js';
import type { RequestOptions, Transport } from '../transport.js';
import type { CreditsResponse } from '../types.js';

export class Account {
  constructor(private readonly transport: Transport) {}

  /**
   * The account's credit balance (`GET /account/credits`). Each try-on costs 1; failed ones are refunded.
   *
   * @example
   * const { creditBalance } = await client.account.credits();
   */
  async credits(requestOptions?: RequestOptions): Promise<CreditsResponse> {
    const res = await this.transport.request<CreditsResponse>({
      endpoint: ENDPOINTS['account.credits'],
      options: requestOptions,
    });
    return res.data;
  }
}
