import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORED_HEIGHT, type RecordedLeaf } from '../../src/audit/auditStore.js';
import { Frontier, type CompletedNode } from '../../src/audit/frontier.js';
import { MerkleLog, leafHash } from '../../src/audit/merkle.js';
import { SqliteAuditStore } from '../../src/audit/sqliteAuditStore.js';
import { StoredTree } from '../../src/audit/storedTree.js';
import * as rfc6962 from './rfc6962Reference.js';

const LEAVES = 5_000;
const RUNS = Number(process.env.STORED_TREE_RUNS ?? 300);
const hexes = (list: readonly Uint8Array[]) => list.map((h) => Buffer.from(h).toString('hex'));

const dir = mkdtempSync(join(tmpdir(), 'ledger-stored-tree-'));
const entries = Array.from({ length: LEAVES }, (_, i) => Buffer.from(`event ${i}`));
const memory = new MerkleLog();
let store: SqliteAuditStore;
let reads = 0;

/** The store as the audit log fills it: pages of leaves with the nodes they complete and the edge. */
beforeAll(() => {
  store = new SqliteAuditStore(join(dir, 'audit.sqlite'));
  const frontier = Frontier.empty();
  for (let start = 0; start < LEAVES; start += 777) {
    const leaves: RecordedLeaf[] = [];
    const nodes: CompletedNode[] = [];
    const previous = frontier.size;
    for (const entry of entries.slice(start, start + 777)) {
      const hash = leafHash(entry);
      memory.append(hash);
      leaves.push({ index: frontier.size, position: 10 + 3 * frontier.size, leafHash: hash });
      frontier.append(hash, (node) => nodes.push(node));
    }
    store.commit(previous, leaves, nodes, { size: frontier.size, position: 0, edge: frontier.edge() });
  }
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The store, counting the leaves read. */
const tree = () =>
  new StoredTree(
    {
      node: (height, index) => store.node(height, index),
      leafHashes: (start, end) => {
        const found = store.leafHashes(start, end);
        reads += found.length;
        return found;
      },
    },
    LEAVES,
  );

const size = fc.integer({ min: 1, max: LEAVES });

describe('the tree kept in the audit store', () => {
  it('stores exactly the nodes at and above the stored height, and its leaves by position', () => {
    expect(store.node(STORED_HEIGHT, 0)?.equals(rfc6962.mth(entries.slice(0, 2 ** STORED_HEIGHT)))).toBe(true);
    expect(store.node(STORED_HEIGHT - 1, 0)).toBeUndefined();
    expect(store.node(12, 1)).toBeUndefined(); // 8192 leaves would be needed
    expect(store.leafIndexOf(10 + 3 * 4_321)).toBe(4_321);
    expect(store.leafIndexOf(11)).toBeUndefined();
    expect(store.treeState().size).toBe(LEAVES);
  });

  it('gives the root of every size of the in-memory tree, reading at most one block of leaves', () => {
    fc.assert(
      fc.property(size, (n) => {
        reads = 0;
        expect(tree().root(n).equals(memory.root(n))).toBe(true);
        expect(reads).toBeLessThanOrEqual(2 ** STORED_HEIGHT);
      }),
      { numRuns: RUNS },
    );
    for (const n of [1, 255, 256, 257, 511, 512, 513, 4_096, 4_097, LEAVES]) {
      expect(tree().root(n).equals(memory.root(n)), `size ${n}`).toBe(true);
    }
  });

  it('gives the inclusion proofs of the in-memory tree, reading at most two blocks of leaves', () => {
    fc.assert(
      fc.property(
        size.chain((n) => fc.tuple(fc.constant(n), fc.nat(n - 1))),
        ([n, index]) => {
          reads = 0;
          expect(hexes(tree().inclusionProof(index, n))).toEqual(hexes(memory.inclusionProof(index, n)));
          expect(reads).toBeLessThanOrEqual(2 * 2 ** STORED_HEIGHT);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('gives the consistency proofs of the in-memory tree, reading at most two blocks of leaves', () => {
    fc.assert(
      fc.property(
        size.chain((n) => fc.tuple(fc.nat(n), fc.constant(n))),
        ([from, to]) => {
          reads = 0;
          expect(hexes(tree().consistencyProof(from, to))).toEqual(hexes(memory.consistencyProof(from, to)));
          expect(reads).toBeLessThanOrEqual(2 * 2 ** STORED_HEIGHT);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('agrees with the reference transcribed from RFC 6962 on sizes around the stored height', () => {
    for (const [index, n] of [
      [0, 1],
      [255, 256],
      [256, 257],
      [300, 700],
      [1_000, 1_537],
    ] as const) {
      const prefix = entries.slice(0, n);
      expect(tree().root(n).equals(rfc6962.mth(prefix))).toBe(true);
      expect(hexes(tree().inclusionProof(index, n))).toEqual(hexes(rfc6962.hashes(rfc6962.path(index, prefix))));
      if (index > 0 && index < n) {
        expect(hexes(tree().consistencyProof(index, n))).toEqual(hexes(rfc6962.hashes(rfc6962.proof(index, prefix))));
      }
    }
  });
});
