import { build, type Plugin } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * The console checks forms with the ledger's own zod schemas. zod's `z` namespace carries all its
 * locales, which esbuild cannot shake out of it: only English, which zod sets as its default, is
 * bundled (about 250 kB less).
 */
const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup: (builder) => {
    builder.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
      contents: "export { default as en } from './en.js';",
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

/**
 * Bundles the web console into dist/console: one script and one stylesheet with content hashes in
 * their names (served with year-long cache headers), and an index.html naming them, loaded with no
 * inline script so the CSP can forbid it. No CDN: all of it ships with the ledger.
 */
const out = 'dist/console';
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const result = await build({
  entryPoints: { main: 'console/src/main.tsx', console: 'console/src/console.css' },
  bundle: true,
  // Components are Preact's (console/tsconfig.json says the same to the type checker).
  jsx: 'automatic',
  jsxImportSource: 'preact',
  format: 'esm',
  // The timeline's chart (Plot and d3, half the script) is a chunk of its own, loaded when first shown.
  splitting: true,
  chunkNames: 'chunk-[hash]',
  target: 'es2022',
  minify: true,
  sourcemap: false,
  outdir: join(out, 'assets'),
  entryNames: '[name]-[hash]',
  metafile: true,
  logLevel: 'warning',
  plugins: [zodEnglishOnly],
});
const outputs = Object.keys(result.metafile.outputs);
/** The file esbuild wrote for an entry point (chunks it split off are loaded by the script itself). */
const named = (entryPoint: string): string => {
  const file = outputs.find((output) => result.metafile.outputs[output]?.entryPoint === entryPoint);
  if (!file) throw new Error(`esbuild wrote no file for ${entryPoint}`);
  return basename(file);
};
const page = readFileSync('console/index.html', 'utf8')
  .replace('%SCRIPT%', named('console/src/main.tsx'))
  .replace('%STYLES%', named('console/src/console.css'));
writeFileSync(join(out, 'index.html'), page);
