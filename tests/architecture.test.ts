import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Arrows point inward: the domain depends on nothing else of the project, the stores on the domain,
 * and only the outer parts (the HTTP app, the CLI, the composition root) on what sits outside them.
 * Read from the sources' import statements (static, dynamic and type-only alike).
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });

/** Every project module a source imports, as a path under src/ (`domain/events.ts`). */
const importsOf = (file: string): string[] => {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  return specifiers.map((s) => relative(src, resolve(dirname(file), s)).replace(/\.js$/, '.ts'));
};

/** The part of src/ a path belongs to: its first folder, or the file itself for the root's modules. */
const partOf = (path: string): string => path.split('/')[0]!;

const edges = sources(src).flatMap((file) => {
  const from = relative(src, file);
  return importsOf(file).map((to) => ({ from, to }));
});

const offending = (rule: (edge: { from: string; to: string }) => boolean) =>
  edges.filter(rule).map(({ from, to }) => `${from} -> ${to}`);

describe('the direction of dependencies in src/', () => {
  it('reads the imports it checks (a rule over no edge would pass for nothing)', () => {
    expect(edges.length).toBeGreaterThan(200);
    expect(edges).toContainEqual({ from: 'main.ts', to: 'eventStore/sqliteEventStore.ts' });
  });

  it('the domain imports nothing outside the domain', () => {
    expect(offending(({ from, to }) => partOf(from) === 'domain' && partOf(to) !== 'domain')).toEqual([]);
  });

  it('nothing outside the CLI imports the CLI', () => {
    expect(offending(({ from, to }) => partOf(from) !== 'cli' && partOf(to) === 'cli')).toEqual([]);
  });

  it('only the CLI and the composition root import the HTTP app', () => {
    const outer = new Set(['http', 'cli', 'main.ts']);
    expect(offending(({ from, to }) => !outer.has(partOf(from)) && partOf(to) === 'http')).toEqual([]);
  });

  it('the event stores depend on the domain and on nothing that is built on them', () => {
    const below = new Set(['eventStore', 'domain', 'sqliteDriver.ts']);
    expect(offending(({ from, to }) => partOf(from) === 'eventStore' && !below.has(partOf(to)))).toEqual([]);
  });

  it('the projections know nothing of the audit, the HTTP app or the CLI', () => {
    const outside = new Set(['audit', 'http', 'cli']);
    expect(offending(({ from, to }) => partOf(from) === 'projections' && outside.has(partOf(to)))).toEqual([]);
  });
});
