import { hash } from 'node:crypto';
import { consistencyPath, inclusionPath, rangeHash } from './merkleProofs.js';

/** Bytes in a SHA-256 digest, and so in every leaf hash, node hash and root. */
export const HASH_BYTES = 32;

// The prefixes are RFC 6962's domain separation: without them a leaf whose entry is the 64 bytes of
// two node hashes would hash like the node above them, and a proof could pass one off as the other.
const LEAF_PREFIX = Buffer.of(0x00);

// Hashes are one-shot (crypto.hash): a streaming hash object costs about twice as much per call,
// and the tree computes about one node hash per leaf. The digest is asked for as a latin1 string
// ('binary') and made a Buffer from the pool: measured here at half the cost of crypto.hash's own
// 'buffer' output, which allocates a buffer of its own for every 32 bytes.
/** SHA-256 of `data`, as a new Buffer. */
export const sha256 = (data: Uint8Array | string): Buffer => Buffer.from(hash('sha256', data, 'binary'), 'latin1');

// The node's input is assembled in one reused buffer, which is safe because hashing is synchronous.
const nodeInput = Buffer.alloc(1 + 2 * HASH_BYTES);
nodeInput[0] = 0x01;

/** The RFC 6962 leaf hash of an entry: SHA-256(0x00 || entry). */
export const leafHash = (entry: Uint8Array): Buffer => sha256(Buffer.concat([LEAF_PREFIX, entry]));

/** The RFC 6962 interior node hash: SHA-256(0x01 || left || right). */
export const nodeHash = (left: Uint8Array, right: Uint8Array): Buffer => {
  if (left.length !== HASH_BYTES || right.length !== HASH_BYTES) {
    return sha256(Buffer.concat([nodeInput.subarray(0, 1), left, right]));
  }
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_BYTES);
  return sha256(nodeInput);
};

/** MTH({}), the root of the empty tree: SHA-256 of the empty string (RFC 6962 section 2.1). */
export const emptyTreeRoot = (): Buffer => sha256(Buffer.alloc(0));

const checkSize = (size: number, max: number): void => {
  if (!Number.isSafeInteger(size) || size < 0 || size > max) {
    throw new RangeError(`tree size ${size} is outside the log's sizes 0..${max}`);
  }
};

const checkIndex = (index: number, size: number): void => {
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new RangeError(`leaf index ${index} is not in a tree of ${size} leaves`);
  }
};

// Every hash handed out is a copy: callers serialise and sometimes reuse buffers, and a write into a
// stored node would silently change every later root and proof.
const copy = (hash: Buffer): Buffer => Buffer.from(hash);

/**
 * Hashes packed end to end in one growing buffer. A Buffer object per hash costs several times the 32
 * bytes it holds, and the log keeps about two hashes per leaf: packed, a million leaves take ~64 MB.
 */
class HashList {
  private bytes = Buffer.alloc(HASH_BYTES * 64);
  length = 0;

  push(hash: Uint8Array): void {
    if ((this.length + 1) * HASH_BYTES > this.bytes.length) {
      const grown = Buffer.alloc(this.bytes.length * 2);
      this.bytes.copy(grown);
      this.bytes = grown;
    }
    this.bytes.set(hash, this.length * HASH_BYTES);
    this.length += 1;
  }

  /** A view, not a copy: stored hashes never change, and growing leaves old views with the same bytes. */
  get(index: number): Buffer | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.length) return undefined;
    return this.bytes.subarray(index * HASH_BYTES, (index + 1) * HASH_BYTES);
  }
}

/**
 * An append-only RFC 6962 Merkle tree over leaf hashes, able to give the root of, and inclusion and
 * consistency proofs for, every size it has passed through.
 *
 * It keeps every leaf hash and the hash of every complete perfect subtree: about 2n hashes, 64 bytes a leaf.
 * The roots of the perfect subtrees on the right edge are among them, so an append costs O(log n)
 * hashes at worst (one on average), and a root or proof for any size costs O(log n) lookups and at
 * most O(log n) hashes, without rehashing leaves.
 */
export class MerkleLog {
  private readonly leaves = new HashList();
  // levels[h][i] is the hash of the perfect subtree over leaves [i * 2^h, (i + 1) * 2^h); level 0 is
  // the leaves. The right edge of a tree of size n is the last node of each level h whose bit is set in n.
  private readonly levels: HashList[] = [this.leaves];

  /** The number of leaves appended so far. */
  get size(): number {
    return this.leaves.length;
  }

  /** Appends a 32-byte leaf hash (see {@link leafHash}) and returns its 0-based leaf index. */
  append(hash: Uint8Array): number {
    if (hash.length !== HASH_BYTES) throw new RangeError(`a leaf hash is ${HASH_BYTES} bytes, not ${hash.length}`);
    const index = this.leaves.length;
    let node: Uint8Array = hash;
    let position = index;
    for (let level = 0; ; level += 1) {
      this.level(level).push(node);
      // A right child completes its parent; the carry stops at the first left child.
      if (position % 2 === 0) break;
      node = nodeHash(this.node(level, position - 1), node);
      position = (position - 1) / 2;
    }
    return index;
  }

  /** The leaf hash at `index`. Throws a RangeError when there is no such leaf. */
  leaf(index: number): Buffer {
    checkIndex(index, this.size);
    return copy(this.node(0, index));
  }

  /** MTH of the first `size` leaves (the empty-tree root for 0). Throws a RangeError beyond the log. */
  root(size: number = this.size): Buffer {
    checkSize(size, this.size);
    return size === 0 ? emptyTreeRoot() : copy(this.rangeHash(0, size));
  }

  /**
   * RFC 6962 PATH(index, D[size]): the audit path from leaf `index` up to the root of the tree of the
   * first `size` leaves, leaf end first. Empty for a tree of one leaf. Throws a RangeError unless
   * 0 <= index < size <= this.size.
   */
  inclusionProof(index: number, size: number): Buffer[] {
    checkSize(size, this.size);
    checkIndex(index, size);
    return inclusionPath(index, size, this.subtree, nodeHash).map(copy);
  }

  /**
   * RFC 6962 PROOF(from, D[to]): the hashes that show the tree of the first `to` leaves extends the
   * tree of the first `from`. RFC 6962 defines it only for 0 < from < to; for from == to and for
   * from == 0 there is nothing to prove and the proof is empty (verifyConsistency accepts those only
   * with an empty proof). Throws a RangeError unless 0 <= from <= to <= this.size.
   */
  consistencyProof(from: number, to: number): Buffer[] {
    checkSize(to, this.size);
    checkSize(from, to);
    return consistencyPath(from, to, this.subtree, nodeHash).map(copy);
  }

  /** MTH(D[start:end]) for a non-empty range RFC 6962's recursion reaches. */
  private rangeHash(start: number, end: number): Buffer {
    return rangeHash(start, end, this.subtree, nodeHash);
  }

  private readonly subtree = (height: number, index: number): Buffer => this.node(height, index);

  private level(height: number): HashList {
    const existing = this.levels[height];
    if (existing) return existing;
    const created = new HashList();
    this.levels.push(created);
    return created;
  }

  private node(height: number, index: number): Buffer {
    const hash = this.levels[height]?.get(index);
    if (!hash) throw new Error(`MerkleLog has no node at height ${height}, index ${index}`);
    return hash;
  }
}
