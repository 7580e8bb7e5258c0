import { api } from './api.js';
import type { LedgerEvent } from './api.js';
import { checkCheckpoint, checkConsistency, checkInclusion, eventLeafHash, hexOf } from './proofs.js';
import type { Check, Mismatch, SignedTreeHead } from './proofs.js';

/**
 * What the audit page asks the ledger, each answer checked in this browser (proofs.ts) against a
 * signed tree head: the ledger is trusted for nothing but to answer.
 */
export type PublicKey = { origin: string; keyId: string; publicKey: string };
type Checkpoint = { treeSize: number; position: number; rootHash: string; text: string; keyId: string };
type InclusionProof = { leafIndex: number; treeSize: number; leafHash: string; auditPath: string[] };
type ConsistencyProof = { from: number; to: number; proof: string[] };
/** A checkpoint the ledger kept, its signature checked here. */
export type Verified = SignedTreeHead & { checkpoint: Checkpoint };

const failed = (mismatch: string): Mismatch => ({ ok: false, mismatch });

/** The latest checkpoint, or the one kept at `treeSize`, with its signature checked here against `key`. */
export const signedCheckpoint = async (key: PublicKey, treeSize?: number): Promise<Verified | Mismatch> => {
  const query = treeSize === undefined ? '' : `?treeSize=${treeSize}`;
  const checkpoint = await api<Checkpoint>('GET', `/v1/audit/checkpoint${query}`);
  const signed = await checkCheckpoint(checkpoint.text, key.origin, key.publicKey);
  if (!signed.ok) return signed;
  if (signed.treeSize !== checkpoint.treeSize || hexOf(signed.root) !== checkpoint.rootHash) {
    const answered = `size ${checkpoint.treeSize}, root ${checkpoint.rootHash}`;
    return failed(`the signed text says size ${signed.treeSize}, root ${hexOf(signed.root)}; the answer ${answered}`);
  }
  return { ...signed, checkpoint };
};

/** A checkpoint the auditor holds (its text), its signature checked here against `key`. */
export const heldCheckpoint = async (key: PublicKey, text: string): Promise<SignedTreeHead | Mismatch> => {
  // A pasted text may have lost its final newline or gained Windows line ends; the signed lines are unchanged.
  const signed = await checkCheckpoint(`${text.replace(/\r\n/g, '\n').trim()}\n`, key.origin, key.publicKey);
  return signed.ok ? { origin: signed.origin, treeSize: signed.treeSize, root: signed.root } : signed;
};

const eventAt = async (position: number): Promise<LedgerEvent | undefined> => {
  const { events } = await api<{ events: LedgerEvent[] }>('GET', `/v1/events?after=${position - 1}&limit=1`);
  return events[0]?.position === position ? events[0] : undefined;
};

/**
 * The event at `position`: its leaf recomputed from its canonical bytes, its path up to the signed
 * root. Answers the check and what it was about.
 */
export const proveInclusion = async (head: Verified, position: number): Promise<[Check, string]> => {
  const about = `the event at position ${position}`;
  const end = head.checkpoint.position;
  if (position > end) return [failed(`${about} is after the checkpoint (it ends at ${end})`), about];
  const event = await eventAt(position);
  if (!event) return [failed(`the ledger has no event at position ${position}`), about];
  const query = `position=${position}&treeSize=${head.treeSize}`;
  const proof = await api<InclusionProof>('GET', `/v1/audit/proofs/inclusion?${query}`);
  const what = `${about} (${event.type}, ${event.streamId} revision ${event.revision}, leaf ${proof.leafIndex})`;
  const leaf = await eventLeafHash(event);
  if (hexOf(leaf) !== proof.leafHash.toLowerCase()) {
    return [failed(`the event's canonical bytes hash to leaf ${hexOf(leaf)}, the proof names ${proof.leafHash}`), what];
  }
  return [await checkInclusion(leaf, proof.leafIndex, head.treeSize, proof.auditPath, head.root), what];
};

/** Whether the tree `newer` signed extends the tree `older` signed, by the ledger's consistency proof. */
export const proveConsistency = async (older: SignedTreeHead, newer: SignedTreeHead): Promise<Check> => {
  const [from, to] = [older.treeSize, newer.treeSize];
  if (from > to) return failed(`the older tree (${from} events) is larger than the newer (${to})`);
  const { proof } = await api<ConsistencyProof>('GET', `/v1/audit/proofs/consistency?from=${from}&to=${to}`);
  return checkConsistency(from, to, older.root, newer.root, proof);
};
