import { STORED_HEIGHT, type AuditStore } from './auditStore.js';
import { emptyTreeRoot, nodeHash } from './merkle.js';
import { consistencyPath, inclusionPath, rangeHash } from './merkleProofs.js';

const BLOCK = 2 ** STORED_HEIGHT;

/** Where the tree's nodes come from: the audit store's stored subtrees and leaves. */
export type TreeNodes = Pick<AuditStore, 'node' | 'leafHashes'>;

/**
 * The tree of the first `size` leaves, answered from storage: perfect subtrees at STORED_HEIGHT and
 * above are one lookup each, lower ones are hashed from their block of at most 256 leaves, read once
 * per block. A root or a proof thus costs O(log n) lookups and at most a few blocks of leaves (the
 * one holding the leaf or the older tree's edge, and the partial block at the end), whatever the
 * log's size. Meant for one query: it keeps the blocks it read.
 */
export class StoredTree {
  private readonly blocks = new Map<number, Buffer[]>();

  constructor(
    private readonly nodes: TreeNodes,
    readonly size: number,
  ) {}

  /** MTH of the first `size` leaves (0 <= size <= this.size; the caller checks). */
  root(size: number = this.size): Buffer {
    return size === 0 ? emptyTreeRoot() : Buffer.from(rangeHash(0, size, this.subtree, nodeHash));
  }

  /** RFC 6962 PATH(index, D[size]), leaf end first (0 <= index < size <= this.size). */
  inclusionProof(index: number, size: number): Buffer[] {
    return inclusionPath(index, size, this.subtree, nodeHash).map((hash) => Buffer.from(hash));
  }

  /** RFC 6962 PROOF(from, D[to]), empty for from == 0 and from == to (0 <= from <= to <= this.size). */
  consistencyProof(from: number, to: number): Buffer[] {
    return consistencyPath(from, to, this.subtree, nodeHash).map((hash) => Buffer.from(hash));
  }

  leaf(index: number): Buffer {
    return Buffer.from(this.subtree(0, index));
  }

  private readonly subtree = (height: number, index: number): Buffer => {
    if (height >= STORED_HEIGHT) {
      const stored = this.nodes.node(height, index);
      if (!stored) throw new Error(`audit.sqlite has no node at height ${height}, index ${index}`);
      return stored;
    }
    const first = index * 2 ** height;
    const block = this.block(Math.floor(first / BLOCK));
    const start = first % BLOCK;
    return hashLeaves(block, start, start + 2 ** height);
  };

  private block(number: number): Buffer[] {
    let leaves = this.blocks.get(number);
    if (!leaves) {
      const start = number * BLOCK;
      leaves = this.nodes.leafHashes(start, Math.min(start + BLOCK, this.size));
      this.blocks.set(number, leaves);
    }
    return leaves;
  }
}

/** The root of the perfect subtree over leaves[start, end) (a power of two of them). */
const hashLeaves = (leaves: readonly Buffer[], start: number, end: number): Buffer => {
  if (end - start === 1) {
    const leaf = leaves[start];
    if (!leaf) throw new Error(`audit.sqlite has no leaf at offset ${start} of its block`);
    return leaf;
  }
  const mid = (start + end) / 2;
  return nodeHash(hashLeaves(leaves, start, mid), hashLeaves(leaves, mid, end));
};
