/**
 * One PostgreSQL connection per process that LISTENs on fitroom's notification channels (the auth cache's changes,
 * new jobs) and calls the handlers registered for each. A NOTIFY sent inside a transaction is delivered when it
 * commits, to every listening process (the sender's own included), which is what both uses need.
 *
 * Notifications are not durable: one sent while this connection is down is lost. So `listening` says whether it is
 * up, the connection is opened again every second after it drops, and each reconnection calls the `reconnected`
 * handlers, which treat it as "anything may have happened meanwhile".
 */
import pg from 'pg';

const RECONNECT_MS = 1_000;

export class PgListener {
  private readonly handlers = new Map<string, Array<() => void>>();
  private readonly reconnectedHandlers: Array<() => void> = [];
  private client: pg.Client | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private closed = false;

  private constructor(
    private readonly connectionString: string,
    private readonly channels: readonly string[],
  ) {}

  /** Resolves once LISTEN is in place on every channel; fails if the database cannot be reached. */
  static async start(connectionString: string, channels: readonly string[]): Promise<PgListener> {
    for (const channel of channels) {
      // Channel names are written into the LISTEN statement (it takes no parameters): only plain identifiers.
      if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
    }
    const listener = new PgListener(connectionString, channels);
    await listener.connect();
    return listener;
  }

  get listening(): boolean {
    return this.client !== null;
  }

  /** Calls `handler` for every notification on `channel` (one of those it was started with). */
  on(channel: string, handler: () => void): void {
    if (!this.channels.includes(channel)) throw new Error(`not listening on ${channel}`);
    this.handlers.set(channel, [...(this.handlers.get(channel) ?? []), handler]);
  }

  /** Calls `handler` each time the connection is back after a cut (notifications may have been lost). */
  onReconnected(handler: () => void): void {
    this.reconnectedHandlers.push(handler);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString });
    client.on('notification', (message) => {
      for (const handler of this.handlers.get(message.channel) ?? []) handler();
    });
    // 'error' and 'end' both mean the connection is gone (a server restart, a network cut): listen again.
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    await client.connect();
    for (const channel of this.channels) await client.query(`LISTEN ${channel}`);
    if (this.closed) {
      await client.end();
      return;
    }
    this.client = client;
  }

  private lost(client: pg.Client): void {
    if (client !== this.client || this.closed) return;
    this.client = null;
    client.end().catch(() => {});
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect().then(
        () => {
          for (const handler of this.reconnectedHandlers) handler();
        },
        () => this.scheduleReconnect(),
      );
    }, RECONNECT_MS);
    this.reconnectTimer.unref();
  }
}
