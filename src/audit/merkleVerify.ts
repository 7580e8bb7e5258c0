import { HASH_BYTES, emptyTreeRoot, nodeHash } from './merkle.js';

// The verifiers take sizes and hashes from outside (an HTTP answer, a saved checkpoint), so anything
// malformed is a failed verification rather than an exception. LSB and the right shifts of RFC 9162
// are written as arithmetic because bit operators would wrap above 2^31.
const isCount = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;
const isHash = (hash: Uint8Array): boolean => hash.length === HASH_BYTES;
const sameHash = (a: Uint8Array, b: Uint8Array): boolean => isHash(a) && isHash(b) && Buffer.compare(a, b) === 0;
const lsb = (n: number): boolean => n % 2 === 1;
const shift = (n: number): number => Math.floor(n / 2);
const isPowerOfTwo = (n: number): boolean => n > 0 && 2 ** Math.round(Math.log2(n)) === n;

/**
 * Checks an inclusion proof (RFC 6962 PATH, leaf end first) exactly as RFC 9162 section 2.1.3.2 does:
 * true when `leafHash` is the leaf at `index` of the tree of `size` leaves whose root is `root`.
 *
 * The proof binds the leaf to the root, not the size: a proof can also pass under another size whose
 * audit path has the same shape, so the size must come from the same signed checkpoint as the root.
 */
export const verifyInclusion = (
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean => {
  if (!isCount(index) || !isCount(size) || !isHash(leafHash) || !isHash(root) || !proof.every(isHash)) return false;
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (lsb(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!lsb(fn) && fn !== 0) {
        fn = shift(fn);
        sn = shift(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = shift(fn);
    sn = shift(sn);
  }
  return sn === 0 && sameHash(r, root);
};

/**
 * Checks a consistency proof (RFC 6962 PROOF) exactly as RFC 9162 section 2.1.4.2 does: true when the
 * tree of `to` leaves with root `toRoot` is an append-only extension of the tree of `from` leaves with
 * root `fromRoot`.
 *
 * RFC 9162 covers 0 < from < to. Outside it: from > to is never consistent; from == to is consistent
 * when the proof is empty and the roots are equal; from == 0 is consistent with any later tree when
 * the proof is empty and `fromRoot` is the empty-tree root (stricter than implementations that ignore
 * the root there, since a checkpoint of size 0 that names another root is not a tree head).
 */
export const verifyConsistency = (
  from: number,
  to: number,
  fromRoot: Uint8Array,
  toRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean => {
  if (!isCount(from) || !isCount(to) || from > to) return false;
  if (!isHash(fromRoot) || !isHash(toRoot) || !proof.every(isHash)) return false;
  if (from === to) return proof.length === 0 && sameHash(fromRoot, toRoot);
  if (from === 0) return proof.length === 0 && sameHash(fromRoot, emptyTreeRoot());

  if (proof.length === 0) return false;
  // A tree of 2^k leaves is itself a subtree of the larger tree, so the proof leaves its hash out.
  const path = isPowerOfTwo(from) ? [fromRoot, ...proof] : proof;
  let fn = from - 1;
  let sn = to - 1;
  while (lsb(fn)) {
    fn = shift(fn);
    sn = shift(sn);
  }
  const [seed, ...rest] = path;
  if (!seed) return false;
  let fr: Uint8Array = seed;
  let sr: Uint8Array = seed;
  for (const c of rest) {
    if (sn === 0) return false;
    if (lsb(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!lsb(fn) && fn !== 0) {
        fn = shift(fn);
        sn = shift(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = shift(fn);
    sn = shift(sn);
  }
  return sameHash(fr, fromRoot) && sameHash(sr, toRoot) && sn === 0;
};
