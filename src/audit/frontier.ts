import { HASH_BYTES, emptyTreeRoot, nodeHash } from './merkle.js';

/** A node of the tree completed by an append: the perfect subtree over leaves [index * 2^height, (index + 1) * 2^height). */
export type CompletedNode = { height: number; index: number; hash: Buffer };

/**
 * The right edge of an RFC 6962 tree: the roots of its perfect subtrees, one for each bit set in its
 * size (at most log2 n hashes). It is all an append needs (a new leaf only ever merges with them)
 * and all the current root needs, so the audit log keeps this instead of every leaf.
 */
export class Frontier {
  /** hashes[h]: the root of the perfect subtree of height h on the edge, when bit h of the size is set. */
  private readonly hashes: (Buffer | undefined)[];

  private constructor(
    private count: number,
    hashes: (Buffer | undefined)[],
  ) {
    this.hashes = hashes;
  }

  static empty(): Frontier {
    return new Frontier(0, []);
  }

  /** The frontier of a tree of `size` leaves from its edge, highest subtree first (as `edge()` gives it). */
  static of(size: number, edge: readonly Buffer[]): Frontier {
    const heights = heightsOf(size);
    if (edge.length !== heights.length || edge.some((hash) => hash.length !== HASH_BYTES)) {
      throw new RangeError(`a tree of ${size} leaves has ${heights.length} subtrees on its edge, not ${edge.length}`);
    }
    const hashes: (Buffer | undefined)[] = [];
    heights.forEach((height, i) => (hashes[height] = Buffer.from(edge[i]!)));
    return new Frontier(size, hashes);
  }

  /** The number of leaves appended. */
  get size(): number {
    return this.count;
  }

  /** Appends a leaf hash; `completed` hears of every node (leaf included) the append completes, lowest first. */
  append(leaf: Buffer, completed?: (node: CompletedNode) => void): void {
    let node = leaf;
    let index = this.count;
    for (let height = 0; ; height += 1) {
      completed?.({ height, index, hash: node });
      const left = this.hashes[height];
      if (left === undefined) {
        // A leaf may be a view into a caller's larger buffer: keep a copy, not the whole buffer.
        this.hashes[height] = height === 0 ? Buffer.from(node) : node;
        break;
      }
      this.hashes[height] = undefined;
      node = nodeHash(left, node);
      index = Math.floor(index / 2);
    }
    this.count += 1;
  }

  /** MTH of every leaf appended: the edge folded from its smallest subtree up. */
  root(): Buffer {
    let root: Buffer | undefined;
    for (const subtree of this.hashes) {
      if (subtree !== undefined) root = root === undefined ? subtree : nodeHash(subtree, root);
    }
    return root === undefined ? emptyTreeRoot() : Buffer.from(root);
  }

  /** The roots of the subtrees on the edge, highest first: what the audit store keeps. */
  edge(): Buffer[] {
    return heightsOf(this.count).map((height) => Buffer.from(this.hashes[height]!));
  }

  copy(): Frontier {
    return new Frontier(this.count, [...this.hashes]);
  }
}

/** The heights of the perfect subtrees of a tree of `size` leaves, highest first (the bits set in size). */
const heightsOf = (size: number): number[] => {
  const heights: number[] = [];
  for (let rest = size, height = 0; rest > 0; rest = Math.floor(rest / 2), height += 1) {
    if (rest % 2 === 1) heights.unshift(height);
  }
  return heights;
};
