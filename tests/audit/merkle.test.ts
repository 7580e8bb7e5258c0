import { beforeAll, describe, expect, it } from 'vitest';
import { MerkleLog, leafHash, nodeHash } from '../../src/audit/merkle.js';
import { verifyConsistency, verifyInclusion } from '../../src/audit/merkleVerify.js';
import { CT_CONSISTENCY_PROOFS, CT_ENTRIES, CT_INCLUSION_PROOFS, CT_ROOTS, EMPTY_ROOT } from './merkleVectors.js';
import * as rfc6962 from './rfc6962Reference.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const hexes = (list: readonly Uint8Array[]): string[] => list.map(hex);

const entry = (i: number): Buffer => Buffer.from(`event ${i} `.repeat(1 + (i % 3)));
const entries = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => entry(i));

const logOf = (list: readonly Uint8Array[]): MerkleLog => {
  const log = new MerkleLog();
  for (const e of list) log.append(leafHash(e));
  return log;
};

const SMALL = entries(64);
const small = logOf(SMALL);

describe('the certificate-transparency test vectors', () => {
  const ct = logOf(CT_ENTRIES);

  it('hashes leaves and nodes with the RFC 6962 prefixes', () => {
    expect(hex(leafHash(new Uint8Array()))).toBe(CT_ROOTS[1]);
    expect(hex(nodeHash(leafHash(CT_ENTRIES[0]!), leafHash(CT_ENTRIES[1]!)))).toBe(CT_ROOTS[2]);
  });

  it('gives the published root for every size from the empty tree to 8 leaves', () => {
    expect(hex(new MerkleLog().root())).toBe(EMPTY_ROOT);
    for (let size = 0; size <= 8; size += 1) {
      expect(hex(ct.root(size)), `size ${size}`).toBe(CT_ROOTS[size]);
      expect(hex(rfc6962.mth(CT_ENTRIES.slice(0, size))), `reference, size ${size}`).toBe(CT_ROOTS[size]);
    }
  });

  it.each(CT_INCLUSION_PROOFS)('gives and verifies the published inclusion proof of leaf $index in $size', (v) => {
    expect(hexes(ct.inclusionProof(v.index, v.size))).toEqual(v.proof);
    const root = Buffer.from(CT_ROOTS[v.size]!, 'hex');
    const proof = v.proof.map((h) => Buffer.from(h, 'hex'));
    expect(verifyInclusion(leafHash(CT_ENTRIES[v.index]!), v.index, v.size, proof, root)).toBe(true);
  });

  it.each(CT_CONSISTENCY_PROOFS)('gives and verifies the published consistency proof from $from to $to', (v) => {
    expect(hexes(ct.consistencyProof(v.from, v.to))).toEqual(v.proof);
    const [fromRoot, toRoot] = [v.from, v.to].map((size) => Buffer.from(CT_ROOTS[size]!, 'hex'));
    const proof = v.proof.map((h) => Buffer.from(h, 'hex'));
    expect(verifyConsistency(v.from, v.to, fromRoot!, toRoot!, proof)).toBe(true);
  });
});

describe('MerkleLog against a reference transcribed from RFC 6962 section 2.1', () => {
  it('has the reference root after every append, and for every earlier size afterwards', () => {
    const log = new MerkleLog();
    expect(hex(log.root())).toBe(EMPTY_ROOT);
    SMALL.forEach((e, i) => {
      expect(log.append(leafHash(e))).toBe(i);
      expect(log.size).toBe(i + 1);
      expect(hex(log.root()), `size ${i + 1}`).toBe(hex(rfc6962.mth(SMALL.slice(0, i + 1))));
    });
    for (let size = 0; size <= 64; size += 1) {
      expect(hex(log.root(size)), `size ${size}`).toBe(hex(rfc6962.mth(SMALL.slice(0, size))));
    }
  });

  it('has the reference root for larger sizes around powers of two', () => {
    const many = entries(4097);
    const log = logOf(many);
    for (const size of [127, 128, 129, 1000, 1023, 1024, 1025, 3000, 4095, 4096, 4097]) {
      expect(hex(log.root(size)), `size ${size}`).toBe(hex(rfc6962.mth(many.slice(0, size))));
    }
  });

  it('gives the reference inclusion proof for every leaf of every size up to 64, and each verifies', () => {
    const wrong: string[] = [];
    for (let size = 1; size <= 64; size += 1) {
      const root = small.root(size);
      for (let index = 0; index < size; index += 1) {
        const proof = small.inclusionProof(index, size);
        const expected = rfc6962.hashes(rfc6962.path(index, SMALL.slice(0, size)));
        if (hexes(proof).join() !== hexes(expected).join()) wrong.push(`PATH(${index}, ${size}) differs`);
        if (proof.length > Math.ceil(Math.log2(size))) wrong.push(`PATH(${index}, ${size}) is too long`);
        if (!verifyInclusion(small.leaf(index), index, size, proof, root)) wrong.push(`(${index}, ${size}) fails`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('gives the reference consistency proof for every pair of sizes up to 64, and each verifies', () => {
    const wrong: string[] = [];
    for (let to = 0; to <= 64; to += 1) {
      for (let from = 0; from <= to; from += 1) {
        const proof = small.consistencyProof(from, to);
        const trivial = from === 0 || from === to;
        const expected = trivial ? [] : rfc6962.hashes(rfc6962.proof(from, SMALL.slice(0, to)));
        if (hexes(proof).join() !== hexes(expected).join()) wrong.push(`PROOF(${from}, ${to}) differs`);
        if (!trivial && proof.length > Math.ceil(Math.log2(to)) + 1) wrong.push(`PROOF(${from}, ${to}) is too long`);
        if (!verifyConsistency(from, to, small.root(from), small.root(to), proof)) wrong.push(`${from}->${to} fails`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('MerkleLog', () => {
  it('gives back each leaf hash it was given', () => {
    SMALL.forEach((e, i) => expect(hex(small.leaf(i))).toBe(hex(leafHash(e))));
  });

  it('keeps its own copies, so a caller writing into a buffer cannot rewrite the log', () => {
    const log = new MerkleLog();
    const appended = leafHash(entry(0));
    log.append(appended);
    log.append(leafHash(entry(1)));
    const rootBefore = hex(log.root());
    appended.fill(0);
    log.leaf(0).fill(0);
    log.root(1).fill(0);
    log.root().fill(0);
    for (const hash of log.inclusionProof(0, 2)) hash.fill(0);
    expect(hex(log.leaf(0))).toBe(hex(leafHash(entry(0))));
    expect(hex(log.root())).toBe(rootBefore);
  });

  it('takes only 32-byte leaf hashes', () => {
    const log = new MerkleLog();
    expect(() => log.append(new Uint8Array(31))).toThrow(RangeError);
    expect(() => log.append(entry(0))).toThrow(RangeError);
    expect(log.size).toBe(0);
  });

  it('throws a RangeError for a size, index or pair of sizes it cannot answer for', () => {
    const cases: [string, () => unknown][] = [
      ['root(65)', () => small.root(65)],
      ['root(-1)', () => small.root(-1)],
      ['root(1.5)', () => small.root(1.5)],
      ['leaf(64)', () => small.leaf(64)],
      ['leaf(-1)', () => small.leaf(-1)],
      ['inclusionProof(0, 0)', () => small.inclusionProof(0, 0)],
      ['inclusionProof(5, 5)', () => small.inclusionProof(5, 5)],
      ['inclusionProof(-1, 5)', () => small.inclusionProof(-1, 5)],
      ['inclusionProof(0, 65)', () => small.inclusionProof(0, 65)],
      ['inclusionProof(NaN, 5)', () => small.inclusionProof(Number.NaN, 5)],
      ['consistencyProof(6, 5)', () => small.consistencyProof(6, 5)],
      ['consistencyProof(-1, 5)', () => small.consistencyProof(-1, 5)],
      ['consistencyProof(1, 65)', () => small.consistencyProof(1, 65)],
      ['new MerkleLog().leaf(0)', () => new MerkleLog().leaf(0)],
      ['new MerkleLog().root(1)', () => new MerkleLog().root(1)],
    ];
    for (const [name, call] of cases) expect(call, name).toThrow(RangeError);
  });

  it('gives empty consistency proofs from the empty tree and between equal sizes', () => {
    expect(small.consistencyProof(0, 0)).toEqual([]);
    expect(small.consistencyProof(0, 64)).toEqual([]);
    expect(small.consistencyProof(17, 17)).toEqual([]);
    expect(small.inclusionProof(0, 1)).toEqual([]);
  });
});

describe('a 200,000-leaf log', () => {
  let many: Buffer[] = [];
  let log = new MerkleLog();
  beforeAll(() => {
    many = entries(200_000);
    log = logOf(many);
  });

  it('has the reference root, and proofs into it and its earlier sizes verify', () => {
    expect(log.size).toBe(200_000);
    expect(hex(log.root())).toBe(hex(rfc6962.mth(many)));
    expect(hex(log.root(131_073))).toBe(hex(rfc6962.mth(many.slice(0, 131_073))));

    for (const [index, size] of [
      [0, 200_000],
      [199_999, 200_000],
      [131_072, 200_000],
      [65_535, 131_073],
      [131_072, 131_073],
      [12_345, 99_999],
    ] as const) {
      const proof = log.inclusionProof(index, size);
      expect(proof.length).toBeLessThanOrEqual(Math.ceil(Math.log2(size)));
      expect(verifyInclusion(leafHash(many[index]!), index, size, proof, log.root(size)), `${index}, ${size}`).toBe(
        true,
      );
    }
    for (const [from, to] of [
      [1, 200_000],
      [131_072, 200_000],
      [131_071, 131_073],
      [99_999, 200_000],
      [199_999, 200_000],
    ] as const) {
      const proof = log.consistencyProof(from, to);
      expect(proof.length).toBeLessThanOrEqual(Math.ceil(Math.log2(to)) + 1);
      expect(verifyConsistency(from, to, log.root(from), log.root(to), proof), `${from}->${to}`).toBe(true);
    }
  });

  it('gives the reference proofs for a few leaves and sizes', () => {
    const prefix = many.slice(0, 99_999);
    expect(hexes(log.inclusionProof(12_345, 99_999))).toEqual(hexes(rfc6962.hashes(rfc6962.path(12_345, prefix))));
    expect(hexes(log.consistencyProof(70_001, 99_999))).toEqual(hexes(rfc6962.hashes(rfc6962.proof(70_001, prefix))));
  });
});
