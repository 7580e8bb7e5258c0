import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * A worker thread running `name` (a module beside `from`, without extension) with this module's
 * extension: .js once compiled, .ts under tsx and vitest. A .ts worker first registers tsx's loader
 * in its own thread: on Node 20, `execArgv: ['--import', 'tsx']` leaves the worker's entry to the
 * default loader, which refuses .ts.
 */
export const startModuleWorker = (from: string, name: string, workerData: unknown): Worker => {
  const extension = extname(fileURLToPath(from));
  const entry = new URL(`./${name}${extension}`, from);
  if (extension !== '.ts') return new Worker(entry, { workerData, execArgv: [] });
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const bootstrap = `import(${tsx}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData, execArgv: [] });
};
