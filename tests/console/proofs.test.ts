import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  bytesOfHex,
  checkCheckpoint,
  checkConsistency,
  checkInclusion,
  eventLeafHash,
  hexOf,
} from '../../console/src/proofs.js';
import { canonicalBytes, type AuditableEvent } from '../../src/audit/canonical.js';
import { CheckpointSigner } from '../../src/audit/checkpointSigner.js';
import { MerkleLog, leafHash } from '../../src/audit/merkle.js';

const event = (revision: number): AuditableEvent => ({
  streamId: 'meeting-01BMY0HQ40DEM0000000000004',
  revision,
  eventId: `4e1f0000-0000-4000-8000-00000000000${revision}`,
  type: 'OutcomeRecorded',
  data: { summary: 'Côte d’Ivoire: "quoted" \u2028 and 10 < 9', stage: null, nested: { b: 1, a: [1.5, -0, 1e21] } },
  metadata: {
    schemaVersion: 1,
    actor: 'secretariat#437060f4',
    recordedAt: '2017-07-13T21:00:00.000Z',
    prevHash: revision === 0 ? null : 'ab'.repeat(32),
    notAudited: 'ignored',
  },
});

const treeOf = (size: number): MerkleLog => {
  const tree = new MerkleLog();
  for (let i = 0; i < size; i += 1) tree.append(leafHash(Buffer.from(`leaf ${i}`)));
  return tree;
};

/** The same hex string with one hex digit of its first byte changed. */
const tampered = (hex: string): string => `${hex[0] === 'f' ? 'e' : 'f'}${hex.slice(1)}`;

describe('proofs verified in the browser, against the server implementation', () => {
  it('recomputes the leaf hash the server computes from an event', async () => {
    for (const revision of [0, 1]) {
      const expected = leafHash(canonicalBytes(event(revision)));
      expect(hexOf(await eventLeafHash(event(revision)))).toBe(expected.toString('hex'));
    }
  });

  it('accepts every inclusion proof of trees of 1 to 17 leaves and refuses each with one byte changed', async () => {
    const tree = treeOf(17);
    for (let size = 1; size <= 17; size += 1) {
      for (let index = 0; index < size; index += 1) {
        const path = tree.inclusionProof(index, size).map((h) => h.toString('hex'));
        const root = tree.root(size);
        expect(await checkInclusion(tree.leaf(index), index, size, path, root)).toEqual({ ok: true });
        if (path.length > 0) {
          const check = await checkInclusion(
            tree.leaf(index),
            index,
            size,
            [tampered(path[0]!), ...path.slice(1)],
            root,
          );
          expect(check).toEqual({ ok: false, mismatch: expect.stringContaining('the signed checkpoint says') });
        }
      }
    }
  });

  it('names a path of the wrong length and a leaf outside the tree', async () => {
    const tree = treeOf(8);
    const path = tree.inclusionProof(3, 8).map((h) => h.toString('hex'));
    const check = (p: string[], index = 3) => checkInclusion(tree.leaf(3), index, 8, p, tree.root(8));
    expect(await check(path.slice(1))).toEqual({
      ok: false,
      mismatch: 'the path has 2 hashes, too few for leaf 3 of 8',
    });
    expect(await check([...path, path[0]!])).toMatchObject({
      ok: false,
      mismatch: expect.stringContaining('too many'),
    });
    expect(await check(path, 8)).toEqual({ ok: false, mismatch: 'leaf 8 is not in a tree of 8' });
    expect(await check(['zz', ...path])).toMatchObject({
      ok: false,
      mismatch: expect.stringContaining('proof hash 0'),
    });
  });

  it('accepts every consistency proof between sizes up to 17 and refuses each with one byte changed', async () => {
    const tree = treeOf(17);
    for (let to = 1; to <= 17; to += 1) {
      for (let from = 1; from <= to; from += 1) {
        const proof = tree.consistencyProof(from, to).map((h) => h.toString('hex'));
        const [fromRoot, toRoot] = [tree.root(from), tree.root(to)];
        expect(await checkConsistency(from, to, fromRoot, toRoot, proof)).toEqual({ ok: true });
        if (proof.length > 0) {
          const changed = [...proof.slice(0, -1), tampered(proof.at(-1)!)];
          expect((await checkConsistency(from, to, fromRoot, toRoot, changed)).ok).toBe(false);
        }
      }
    }
    const proof = tree.consistencyProof(5, 9).map((h) => h.toString('hex'));
    expect(await checkConsistency(5, 9, tree.root(6), tree.root(9), proof)).toMatchObject({
      ok: false,
      mismatch: expect.stringContaining('for tree 5'),
    });
  });

  it("checks a checkpoint's Ed25519 signature and key id with WebCrypto", async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const signer = new CheckpointSigner('meeting-ledger', privateKey);
    const root = treeOf(5).root();
    const { text } = signer.sign({ origin: 'meeting-ledger', treeSize: 5, rootHash: root });

    const checked = await checkCheckpoint(text, 'meeting-ledger', signer.publicKeyPem);
    expect(checked).toMatchObject({ ok: true, origin: 'meeting-ledger', treeSize: 5 });
    expect(checked.ok && hexOf(checked.root)).toBe(root.toString('hex'));

    const grown = text.replace('\n5\n', '\n6\n');
    expect(await checkCheckpoint(grown, 'meeting-ledger', signer.publicKeyPem)).toEqual({
      ok: false,
      mismatch: `the Ed25519 signature by meeting-ledger (key ${signer.keyId.toString('hex')}) does not match the text`,
    });
    const other = new CheckpointSigner('meeting-ledger', generateKeyPairSync('ed25519').privateKey);
    expect(await checkCheckpoint(text, 'meeting-ledger', other.publicKeyPem)).toEqual({
      ok: false,
      mismatch: `no signature line by meeting-ledger with key id ${other.keyId.toString('hex')}`,
    });
    expect((await checkCheckpoint('meeting-ledger\n5\n', 'meeting-ledger', signer.publicKeyPem)).ok).toBe(false);
  });

  it('reads hex strictly', () => {
    expect(bytesOfHex('00ff')).toEqual(Uint8Array.of(0, 255));
    expect(bytesOfHex('0g')).toBeUndefined();
    expect(bytesOfHex('abc')).toBeUndefined();
  });
});
