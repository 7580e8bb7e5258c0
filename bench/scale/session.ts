import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, startServer, stopServer, waitReady, type Server } from './processes.js';
import { PROJECTION_STORE, settings } from './settings.js';

/** The one server the bench runs on the run's ledger at a time: started, restarted, stopped. */
export class LedgerSession {
  private current: Server | undefined;

  constructor(readonly dataDir: string) {}

  get server(): Server | undefined {
    return this.current;
  }

  /** Starts the server (stopping one that runs); resolves once it listens, not once it is ready. */
  async start(): Promise<Server> {
    await this.stop();
    this.current = await startServer(this.dataDir, settings.timeoutMs);
    return this.current;
  }

  /** The running server, or a new one once it answers /readyz (bounded). */
  async running(): Promise<Server> {
    if (this.current && isAlive(this.current)) return this.current;
    const server = await this.start();
    await waitReady(server, settings.timeoutMs);
    return server;
  }

  /** SIGTERM and wait (SIGKILL after a minute); says how long it took and whether it exited by itself. */
  async stop(): Promise<{ ms: number; graceful: boolean } | undefined> {
    const server = this.current;
    this.current = undefined;
    if (!server || !isAlive(server)) return undefined;
    const started = performance.now();
    const graceful = await stopServer(server);
    return { ms: performance.now() - started, graceful };
  }

  /** Deletes what the server can rebuild from the log (see PROJECTION_STORE): the next start is cold. */
  deleteProjectionStore(): void {
    for (const name of PROJECTION_STORE) rmSync(join(this.dataDir, name), { recursive: true, force: true });
  }
}
