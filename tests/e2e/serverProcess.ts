import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { listeningAddressOf } from '../../src/logOutput.js';

/** `output`: every line, standard error's and standard output's; `stdout`: the log stream alone. */
export type Server = { child: ChildProcess; baseUrl: string; output: string[]; stdout: string[] };

/**
 * Starts the compiled server (`dist/main.js`, built by the e2e setup) the way `npm start` does, on
 * port 0, and waits (bounded) for it to listen.
 */
export const startServer = async (
  dataDir: string,
  env: Record<string, string> = {},
  { stallStdoutOnceListening = false } = {},
): Promise<Server> => {
  const child = spawn(process.execPath, ['dist/main.js'], {
    // Load tests send thousands of commands with one token: no rate limit unless a test sets one.
    env: {
      ...process.env,
      LEDGER_DATA_DIR: dataDir,
      PORT: '0',
      LOG_LEVEL: 'info',
      LEDGER_TOKENS: '',
      LEDGER_RATE_LIMIT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const stdout: string[] = [];
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // never leave a half-started server behind
      reject(new Error(`server did not start:\n${output.join('\n')}`));
    }, 20_000);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output.join('\n')}`)));
    createInterface({ input: child.stderr }).on('line', (line) => output.push(line));
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      output.push(line);
      stdout.push(line);
      const address = listeningAddressOf(line);
      if (address) {
        clearTimeout(timer);
        // A reader that stops reading: the server's stdout pipe fills and its writes wait.
        if (stallStdoutOnceListening) {
          lines.close();
          child.stdout.pause();
        }
        resolve(address);
      }
    });
  });
  return { child, baseUrl, output, stdout };
};

export const stop = (server: Server, signal: NodeJS.Signals = 'SIGTERM') =>
  new Promise<number | null>((resolve) => {
    server.child.once('exit', (code) => resolve(code));
    server.child.kill(signal);
  });
