import pg from 'pg';
import type { AppendSignal } from './appendSignal.js';

export const APPEND_CHANNEL = 'ledger_appended';

/**
 * Wakes local subscribers when any process commits an append: each append sends NOTIFY in its own
 * transaction, which PostgreSQL delivers only on commit. The connection is re-opened when it drops;
 * until then subscribers fall back to polling, and on every (re)connect they are woken once, since
 * notifications sent while nobody listened are gone.
 */
export class PostgresListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;

  /** `schema`: only appends to this ledger wake it; the channel is shared by every schema of the database. */
  constructor(
    private readonly config: pg.ClientConfig,
    private readonly schema: string,
    private readonly signal: AppendSignal,
    private readonly retryMs = 1_000,
  ) {}

  async start(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client(this.config);
    client.on('notification', (message) => {
      if (message.payload === this.schema) this.signal.notify();
    });
    client.on('error', () => this.reconnect(client));
    client.on('end', () => this.reconnect(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${APPEND_CHANNEL}`);
    } catch {
      this.reconnect(client);
      return;
    }
    // Stopped while connecting: nobody would ever end this connection.
    if (this.stopped) {
      this.reconnect(client);
      return;
    }
    this.client = client;
    this.signal.notify();
  }

  private reconnect(client: pg.Client): void {
    if (this.client === client) this.client = undefined;
    client.removeAllListeners();
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.start();
    }, this.retryMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners();
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
    }
  }
}
