// RFC 6962 section 2.1's recursions over a tree whose perfect subtrees can be looked up: shared by
// the in-memory MerkleLog and the tree kept in the audit store, so both give the same proofs.

/** The hash of the perfect subtree of height `height` over leaves [index * 2^height, (index + 1) * 2^height). */
export type PerfectSubtree = (height: number, index: number) => Buffer;

/** The largest power of two strictly below n (n >= 2): where RFC 6962 splits a tree of n leaves. */
export const splitPoint = (n: number): number => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

// Arithmetic rather than bit operators, which would wrap above 2^31 leaves.
export const isPowerOfTwo = (n: number): boolean => n > 0 && 2 ** Math.round(Math.log2(n)) === n;

/**
 * MTH(D[start:end]) for a non-empty range RFC 6962's recursion reaches. Such a range starts at a
 * multiple of the power of two its parent split at, so a perfect one is always a whole subtree; the
 * rest are a perfect left part plus a smaller right part, which bounds the work to one hash per level.
 */
export const rangeHash = (start: number, end: number, subtree: PerfectSubtree, combine: NodeHash): Buffer => {
  const width = end - start;
  if (isPowerOfTwo(width)) return subtree(Math.round(Math.log2(width)), start / width);
  const mid = start + splitPoint(width);
  return combine(rangeHash(start, mid, subtree, combine), rangeHash(mid, end, subtree, combine));
};

export type NodeHash = (left: Uint8Array, right: Uint8Array) => Buffer;

/** RFC 6962 PATH(index, D[size]), leaf end first. The caller checks 0 <= index < size. */
export const inclusionPath = (index: number, size: number, subtree: PerfectSubtree, combine: NodeHash): Buffer[] => {
  const proof: Buffer[] = [];
  let start = 0;
  let end = size;
  while (end - start > 1) {
    const mid = start + splitPoint(end - start);
    if (index < mid) {
      proof.push(rangeHash(mid, end, subtree, combine));
      end = mid;
    } else {
      proof.push(rangeHash(start, mid, subtree, combine));
      start = mid;
    }
  }
  return proof.reverse();
};

/** RFC 6962 PROOF(from, D[to]); empty for from == 0 and from == to. The caller checks 0 <= from <= to. */
export const consistencyPath = (from: number, to: number, subtree: PerfectSubtree, combine: NodeHash): Buffer[] => {
  if (from === 0 || from === to) return [];
  const proof: Buffer[] = [];
  let start = 0;
  let end = to;
  let oldTreeIsWholeSubtree = true; // SUBPROOF's b: the verifier already holds that subtree's hash
  while (from !== end) {
    const mid = start + splitPoint(end - start);
    if (from <= mid) {
      proof.push(rangeHash(mid, end, subtree, combine));
      end = mid;
    } else {
      proof.push(rangeHash(start, mid, subtree, combine));
      start = mid;
      oldTreeIsWholeSubtree = false;
    }
  }
  if (!oldTreeIsWholeSubtree) proof.push(rangeHash(start, end, subtree, combine));
  return proof.reverse();
};
