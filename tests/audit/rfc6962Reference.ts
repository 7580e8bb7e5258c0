// An independent reference for the tests: RFC 6962 section 2.1 transcribed as written, recursive over
// the list of entries, sharing no code with src/audit. Slow (it rehashes every subtree it needs) and
// meant to be obviously right rather than fast.
import { createHash } from 'node:crypto';

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

/** k: the largest power of two smaller than n (n > 1). */
const largestPowerOfTwoBelow = (n: number): number => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

/** MTH(D[n]). */
export const mth = (d: readonly Uint8Array[]): Buffer => {
  if (d.length === 0) return sha256();
  if (d.length === 1) return sha256(Buffer.of(0x00), d[0]!);
  const k = largestPowerOfTwoBelow(d.length);
  return sha256(Buffer.of(0x01), mth(d.slice(0, k)), mth(d.slice(k)));
};

/**
 * A proof element with where it sits: a sibling to the left or right of the hash being built up, or
 * (in a consistency proof) the seed, the subtree hash the verifier starts from. The sides are what a
 * verifier's index and size arithmetic must reproduce; the tests use them to say when a proof ought to
 * pass under another index or size.
 */
export type Step = { hash: Buffer; side: 'left' | 'right' | 'seed' };

/** PATH(m, D[n]), leaf end first. */
export const path = (m: number, d: readonly Uint8Array[]): Step[] => {
  if (d.length <= 1) return [];
  const k = largestPowerOfTwoBelow(d.length);
  return m < k
    ? [...path(m, d.slice(0, k)), { hash: mth(d.slice(k)), side: 'right' }]
    : [...path(m - k, d.slice(k)), { hash: mth(d.slice(0, k)), side: 'left' }];
};

/** SUBPROOF(m, D[n], b). */
const subproof = (m: number, d: readonly Uint8Array[], b: boolean): Step[] => {
  if (m === d.length) return b ? [] : [{ hash: mth(d), side: 'seed' }];
  const k = largestPowerOfTwoBelow(d.length);
  return m <= k
    ? [...subproof(m, d.slice(0, k), b), { hash: mth(d.slice(k)), side: 'right' }]
    : [...subproof(m - k, d.slice(k), false), { hash: mth(d.slice(0, k)), side: 'left' }];
};

/** PROOF(m, D[n]) = SUBPROOF(m, D[n], true), defined for 0 < m < n. */
export const proof = (m: number, d: readonly Uint8Array[]): Step[] => subproof(m, d, true);

export const hashes = (steps: readonly Step[]): Buffer[] => steps.map((step) => step.hash);

// The same recursions over counts alone, for the shape of a proof in a tree too big to hash cheaply.
type Side = Step['side'];

const pathSides = (m: number, n: number): Side[] => {
  if (n <= 1) return [];
  const k = largestPowerOfTwoBelow(n);
  return m < k ? [...pathSides(m, k), 'right'] : [...pathSides(m - k, n - k), 'left'];
};

const subproofSides = (m: number, n: number, b: boolean): Side[] => {
  if (m === n) return b ? [] : ['seed'];
  const k = largestPowerOfTwoBelow(n);
  return m <= k ? [...subproofSides(m, k, b), 'right'] : [...subproofSides(m - k, n - k, false), 'left'];
};

/** The sides of PATH(m, D[n]), or undefined where PATH is not defined (m >= n). */
export const pathShape = (m: number, n: number): string | undefined =>
  m >= 0 && m < n ? pathSides(m, n).join(',') : undefined;

/** The sides of PROOF(m, D[n]), or undefined outside 0 < m < n. */
export const proofShape = (m: number, n: number): string | undefined =>
  m > 0 && m < n ? subproofSides(m, n, true).join(',') : undefined;
