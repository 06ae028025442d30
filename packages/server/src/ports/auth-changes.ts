/**
 * How a change to API keys or accounts made by one process reaches the auth caches of the others
 * (services/accounts.service.ts caches authentications for a few seconds): the CLI revoking a key while servers run,
 * or one API replica changing an account that another replica has cached.
 */
export interface AuthChanges {
  /**
   * A value that differs after another process changed keys or accounts. Only compared with the previous one (a
   * change drops the cache); a feed that cannot tell may return a new value each time, which turns the cache off.
   */
  version(): Promise<unknown>;
  /** Called after this process changed a key or an account, so the other processes drop their cached entries. */
  announce(): Promise<void>;
  close(): Promise<void>;
}
