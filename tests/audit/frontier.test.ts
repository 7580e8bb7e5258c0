import { describe, expect, it } from 'vitest';
import { Frontier, type CompletedNode } from '../../src/audit/frontier.js';
import { MerkleLog, leafHash } from '../../src/audit/merkle.js';
import * as rfc6962 from './rfc6962Reference.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const entries = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => Buffer.from(`entry ${i}`));

describe('the right edge of the tree (Frontier)', () => {
  it('has the reference root after every append, and survives a round trip through its stored edge', () => {
    const list = entries(300);
    let frontier = Frontier.empty();
    expect(hex(frontier.root())).toBe(hex(rfc6962.mth([])));
    list.forEach((entry, i) => {
      frontier.append(leafHash(entry));
      expect(hex(frontier.root()), `size ${i + 1}`).toBe(hex(rfc6962.mth(list.slice(0, i + 1))));
      const edge = frontier.edge();
      expect(edge.length).toBe(popCount(i + 1));
      frontier = Frontier.of(frontier.size, edge);
    });
  });

  it('reports each leaf and each node an append completes, with the reference hash of its subtree', () => {
    const list = entries(1_030);
    const frontier = Frontier.empty();
    const completed: CompletedNode[] = [];
    for (const entry of list) frontier.append(leafHash(entry), (node) => completed.push(node));
    // n leaves, and one node per merge: n minus the subtrees left on the edge.
    expect(completed.length).toBe(2 * list.length - popCount(list.length));
    const seen = new Set<string>();
    for (const node of completed) {
      const width = 2 ** node.height;
      const start = node.index * width;
      seen.add(`${node.height}/${node.index}`);
      expect(hex(node.hash), `height ${node.height}, index ${node.index}`).toBe(hex(subtree(list, start, width)));
    }
    expect(seen.size).toBe(completed.length);
    const log = new MerkleLog();
    for (const entry of list) log.append(leafHash(entry));
    expect(hex(frontier.root())).toBe(hex(log.root()));
  });

  it('keeps its own copy of a leaf given as a view into a larger buffer', () => {
    const page = Buffer.concat([leafHash(Buffer.from('a')), leafHash(Buffer.from('b'))]);
    const frontier = Frontier.empty();
    frontier.append(page.subarray(0, 32));
    const root = hex(frontier.root());
    page.fill(0);
    expect(hex(frontier.root())).toBe(root);
  });

  it('refuses an edge that does not fit its size', () => {
    const frontier = Frontier.empty();
    for (const entry of entries(5)) frontier.append(leafHash(entry));
    expect(() => Frontier.of(7, frontier.edge())).toThrow(RangeError);
    expect(() => Frontier.of(5, [Buffer.alloc(31), Buffer.alloc(32)])).toThrow(RangeError);
  });
});

const popCount = (n: number): number => n.toString(2).replaceAll('0', '').length;

/** MTH of a perfect subtree of the list, from the reference. */
const subtree = (list: readonly Buffer[], start: number, width: number): Buffer =>
  rfc6962.mth(list.slice(start, start + width));
