import { execFileSync } from 'node:child_process';

/**
 * Builds dist/ with `npm run build`, as `npm start` does, before any end-to-end test starts a
 * server from it. The build is incremental: a few seconds when nothing changed.
 */
export default function buildDist(): void {
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
}
