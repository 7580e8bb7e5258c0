import { describe, expect, it } from 'vitest';
import { MerkleLog, emptyTreeRoot, leafHash } from '../../src/audit/merkle.js';
import { verifyConsistency, verifyInclusion } from '../../src/audit/merkleVerify.js';
import { CT_CONSISTENCY_PROOFS, CT_ENTRIES, CT_INCLUSION_PROOFS, CT_ROOTS } from './merkleVectors.js';
import { pathShape, proofShape } from './rfc6962Reference.js';

type InclusionCase = { leaf: Uint8Array; index: number; size: number; proof: Uint8Array[]; root: Uint8Array };
type ConsistencyCase = { from: number; to: number; fromRoot: Uint8Array; toRoot: Uint8Array; proof: Uint8Array[] };
type Probe<C> = { change: string; probe: C; verifies: boolean };

const ALL_BYTES = Array.from({ length: 32 }, (_, i) => i);
const OTHER_HASH = Buffer.alloc(32, 0xab);
const SHORT_HASH = Buffer.alloc(31);

const flip = (hash: Uint8Array, byte: number): Buffer => {
  const changed = Buffer.from(hash);
  changed.writeUInt8(changed.readUInt8(byte) ^ (1 << (byte % 8)), byte);
  return changed;
};

const swapped = <T>(list: readonly T[], i: number): T[] => list.with(i, list[i + 1]!).with(i + 1, list[i]!);

const inclusion = (p: InclusionCase): boolean => verifyInclusion(p.leaf, p.index, p.size, p.proof, p.root);
const consistency = (p: ConsistencyCase): boolean => verifyConsistency(p.from, p.to, p.fromRoot, p.toRoot, p.proof);

/** The changes to a proof's inputs that must not slip through, each with whether it should still verify. */
const proofEdits = <C extends { proof: Uint8Array[] }>(
  c: C,
  bytes: readonly number[],
  hashes: Record<string, Uint8Array>,
): Probe<C>[] => {
  const probes: Probe<C>[] = [];
  const add = (change: string, edit: Partial<C>): void => {
    probes.push({ change, probe: { ...c, ...edit }, verifies: false });
  };
  for (const [name, hash] of Object.entries(hashes)) {
    for (const byte of bytes) add(`${name} byte ${byte} changed`, { [name]: flip(hash, byte) } as Partial<C>);
  }
  c.proof.forEach((hash, i) => {
    for (const byte of bytes)
      add(`proof[${i}] byte ${byte} changed`, { proof: c.proof.with(i, flip(hash, byte)) } as Partial<C>);
    add(`proof[${i}] dropped`, { proof: c.proof.toSpliced(i, 1) } as Partial<C>);
    add(`proof[${i}] cut short`, { proof: c.proof.with(i, hash.subarray(0, 31)) } as Partial<C>);
    if (i + 1 < c.proof.length) add(`proof[${i}] and [${i + 1}] swapped`, { proof: swapped(c.proof, i) } as Partial<C>);
  });
  for (let at = 0; at <= c.proof.length; at += 1) {
    for (const [name, hash] of Object.entries({ ...hashes, other: OTHER_HASH, short: SHORT_HASH })) {
      add(`${name} inserted at ${at}`, { proof: c.proof.toSpliced(at, 0, hash) } as Partial<C>);
    }
  }
  return probes;
};

const inclusionProbes = (c: InclusionCase, bytes: readonly number[]): Probe<InclusionCase>[] => {
  const probes = proofEdits(c, bytes, { leaf: c.leaf, root: c.root });
  const shape = pathShape(c.index, c.size);
  for (const index of new Set([c.index - 1, c.index + 1, c.index ^ 1, c.index ^ 2, 0, c.size - 1, c.size, -1, 0.5])) {
    if (index !== c.index) probes.push({ change: `index ${index}`, probe: { ...c, index }, verifies: false });
  }
  // A proof fixes the leaf's route to the root, not the tree size: under a size where the route has
  // the same turns it verifies too, which is why the size must come signed with the root.
  for (const size of new Set([c.size - 1, c.size + 1, c.size * 2, Math.floor(c.size / 2), c.size + 7, 0, -1])) {
    if (size !== c.size) {
      probes.push({ change: `size ${size}`, probe: { ...c, size }, verifies: pathShape(c.index, size) === shape });
    }
  }
  probes.push({ change: 'empty root', probe: { ...c, root: emptyTreeRoot() }, verifies: false });
  return probes;
};

const consistencyProbes = (c: ConsistencyCase, bytes: readonly number[]): Probe<ConsistencyCase>[] => {
  const probes = proofEdits(c, bytes, { fromRoot: c.fromRoot, toRoot: c.toRoot });
  const shape = proofShape(c.from, c.to);
  for (const from of new Set([c.from - 1, c.from + 1, c.from * 2, Math.floor(c.from / 2), 0, c.to, c.to + 1, -1])) {
    if (from !== c.from) {
      probes.push({ change: `from ${from}`, probe: { ...c, from }, verifies: proofShape(from, c.to) === shape });
    }
  }
  for (const to of new Set([c.to - 1, c.to + 1, c.to * 2, Math.floor(c.to / 2), c.from, 0])) {
    if (to !== c.to)
      probes.push({ change: `to ${to}`, probe: { ...c, to }, verifies: proofShape(c.from, to) === shape });
  }
  probes.push({ change: 'roots swapped', probe: { ...c, fromRoot: c.toRoot, toRoot: c.fromRoot }, verifies: false });
  probes.push({ change: 'empty proof', probe: { ...c, proof: [] }, verifies: false });
  return probes;
};

/** Runs every probe and names the ones whose outcome is not the expected one. */
const misjudged = <C>(probes: Probe<C>[], verify: (probe: C) => boolean): string[] =>
  probes.filter(({ probe, verifies }) => verify(probe) !== verifies).map(({ change }) => change);

const entry = (i: number): Buffer => Buffer.from(`event ${i}`);
const log = new MerkleLog();
for (let i = 0; i < 64; i += 1) log.append(leafHash(entry(i)));

describe('verifyInclusion', () => {
  it.each(CT_INCLUSION_PROOFS)('rejects every edit of the published proof for leaf $index in $size', (v) => {
    const c: InclusionCase = {
      leaf: leafHash(CT_ENTRIES[v.index]!),
      index: v.index,
      size: v.size,
      proof: v.proof.map((h) => Buffer.from(h, 'hex')),
      root: Buffer.from(CT_ROOTS[v.size]!, 'hex'),
    };
    expect(inclusion(c)).toBe(true);
    expect(misjudged(inclusionProbes(c, ALL_BYTES), inclusion)).toEqual([]);
  });

  it('rejects every edit of every proof in trees of up to 64 leaves', () => {
    const wrong: string[] = [];
    for (let size = 1; size <= 64; size += 1) {
      const root = log.root(size);
      for (let index = 0; index < size; index += 1) {
        const c = { leaf: log.leaf(index), index, size, proof: log.inclusionProof(index, size), root };
        if (!inclusion(c)) wrong.push(`(${index}, ${size}) does not verify`);
        const bytes = [0, 31, (7 * index + size) % 32];
        for (const change of misjudged(inclusionProbes(c, bytes), inclusion))
          wrong.push(`(${index}, ${size}) ${change}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('accepts the proof of leaf 0 in 3 under size 4 too, since its route is the same: the size comes with the root', () => {
    const proof = log.inclusionProof(0, 3);
    expect(verifyInclusion(log.leaf(0), 0, 4, proof, log.root(3))).toBe(true);
    expect(verifyInclusion(log.leaf(0), 0, 4, proof, log.root(4))).toBe(false);
  });

  it('verifies a one-leaf tree with an empty proof against the leaf hash itself', () => {
    const leaf = log.leaf(0);
    expect(verifyInclusion(leaf, 0, 1, [], leaf)).toBe(true);
    expect(verifyInclusion(leaf, 0, 1, [], log.leaf(1))).toBe(false);
    expect(verifyInclusion(leaf, 1, 1, [], leaf)).toBe(false);
    expect(verifyInclusion(leaf, 0, 0, [], leaf)).toBe(false);
  });

  it('answers false, without throwing, for malformed sizes and hashes', () => {
    const [leaf, proof, root] = [log.leaf(3), log.inclusionProof(3, 10), log.root(10)];
    expect(verifyInclusion(leaf, Number.NaN, 10, proof, root)).toBe(false);
    expect(verifyInclusion(leaf, 3, Number.POSITIVE_INFINITY, proof, root)).toBe(false);
    expect(verifyInclusion(leaf, 3, 2 ** 53, proof, root)).toBe(false);
    expect(verifyInclusion(leaf.subarray(1), 3, 10, proof, root)).toBe(false);
    expect(verifyInclusion(leaf, 3, 10, proof, Buffer.concat([root, Buffer.of(0)]))).toBe(false);
  });
});

describe('verifyConsistency', () => {
  it.each(CT_CONSISTENCY_PROOFS.filter((v) => v.from < v.to))(
    'rejects every edit of the published proof from $from to $to',
    (v) => {
      const c: ConsistencyCase = {
        from: v.from,
        to: v.to,
        fromRoot: Buffer.from(CT_ROOTS[v.from]!, 'hex'),
        toRoot: Buffer.from(CT_ROOTS[v.to]!, 'hex'),
        proof: v.proof.map((h) => Buffer.from(h, 'hex')),
      };
      expect(consistency(c)).toBe(true);
      expect(misjudged(consistencyProbes(c, ALL_BYTES), consistency)).toEqual([]);
    },
  );

  it('rejects every edit of every proof between sizes up to 64', () => {
    const wrong: string[] = [];
    for (let to = 2; to <= 64; to += 1) {
      for (let from = 1; from < to; from += 1) {
        const c = { from, to, fromRoot: log.root(from), toRoot: log.root(to), proof: log.consistencyProof(from, to) };
        if (!consistency(c)) wrong.push(`${from}->${to} does not verify`);
        const bytes = [0, 31, (7 * from + to) % 32];
        for (const change of misjudged(consistencyProbes(c, bytes), consistency))
          wrong.push(`${from}->${to} ${change}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('accepts the proof from 2 to 4 as a proof from 2 to 3 too, since its shape is the same: the size comes with the root', () => {
    const proof = log.consistencyProof(2, 4);
    expect(verifyConsistency(2, 3, log.root(2), log.root(4), proof)).toBe(true);
    expect(verifyConsistency(2, 3, log.root(2), log.root(3), proof)).toBe(false);
  });

  it('holds a tree consistent with itself only through an empty proof and equal roots', () => {
    expect(verifyConsistency(5, 5, log.root(5), log.root(5), [])).toBe(true);
    expect(verifyConsistency(5, 5, log.root(5), log.root(6), [])).toBe(false);
    expect(verifyConsistency(5, 5, log.root(5), log.root(5), [log.root(5)])).toBe(false);
    expect(verifyConsistency(0, 0, emptyTreeRoot(), emptyTreeRoot(), [])).toBe(true);
  });

  it('holds the empty tree consistent with any tree, through an empty proof and the empty-tree root', () => {
    expect(verifyConsistency(0, 7, emptyTreeRoot(), log.root(7), [])).toBe(true);
    expect(verifyConsistency(0, 7, log.root(1), log.root(7), [])).toBe(false);
    expect(verifyConsistency(0, 7, emptyTreeRoot(), log.root(7), [emptyTreeRoot()])).toBe(false);
  });

  it('never holds a larger tree consistent with a smaller one, and answers false for malformed input', () => {
    expect(verifyConsistency(7, 5, log.root(7), log.root(5), log.consistencyProof(5, 7))).toBe(false);
    expect(verifyConsistency(1, 2, log.root(1), log.root(2), [])).toBe(false);
    const proof = log.consistencyProof(3, 9);
    expect(verifyConsistency(3, Number.NaN, log.root(3), log.root(9), proof)).toBe(false);
    expect(verifyConsistency(3.5, 9, log.root(3), log.root(9), proof)).toBe(false);
    expect(verifyConsistency(3, 9, log.root(3).subarray(2), log.root(9), proof)).toBe(false);
  });
});
