import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api.js';
import { heldCheckpoint, proveConsistency, signedCheckpoint, type PublicKey, type Verified } from './auditChecks.js';
import { CheckForm, NumberField, Verdict } from './auditForms.js';
import { Failure } from './failure.js';

/** The older tree head: the checkpoint pasted (one the auditor holds), else the one the ledger kept at `size`. */
const olderHead = async (key: PublicKey, held: string, size: string) => {
  if (held.trim()) return heldCheckpoint(key, held);
  if (!size) return { ok: false as const, mismatch: 'give the older tree size, or paste a checkpoint you hold' };
  return signedCheckpoint(key, Number(size));
};

/** A checkpoint the ledger kept, as GET /v1/audit/checkpoints lists them (newest first). */
type Kept = { treeSize: number; signedAt: string };

type KeptList = { state: 'loading' } | { state: 'failed'; error: unknown } | { state: 'loaded'; kept: Kept[] };

const signedTime = (instant: string) => instant.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC');

/** The kept sizes offered in the tree size fields, each with its signing time. */
const KeptSizes = ({ id, kept }: { id: string; kept: Kept[] }) => (
  <datalist id={id}>
    {kept.map((c) => (
      <option key={c.treeSize} value={String(c.treeSize)} label={`signed ${signedTime(c.signedAt)}`} />
    ))}
  </datalist>
);

/** What the list offers, in words: the form's fields hold it, this says it is there (or why not). */
const KeptNote = ({ list }: { list: KeptList }) => {
  if (list.state === 'failed') return <Failure error={list.error} />;
  if (list.state === 'loading') return <p class="note">Listing the checkpoints the ledger kept…</p>;
  const [newest] = list.kept;
  const oldest = list.kept.at(-1);
  if (!newest || !oldest) return <p class="note">The ledger lists no kept checkpoint.</p>;
  return (
    <p id="kept-checkpoints-note" class="note">
      The tree size fields offer the {list.kept.length} latest checkpoints the ledger kept, signed from{' '}
      {signedTime(oldest.signedAt)} to {signedTime(newest.signedAt)}.
    </p>
  );
};

export const ConsistencySection = ({ publicKey, head }: { publicKey: PublicKey; head: Verified }) => {
  const from = useRef<HTMLInputElement>(null);
  const to = useRef<HTMLInputElement>(null);
  const held = useRef<HTMLTextAreaElement>(null);
  const [list, setList] = useState<KeptList>({ state: 'loading' });
  useEffect(() => {
    api<{ checkpoints: Kept[] }>('GET', '/v1/audit/checkpoints').then(
      // The empty tree's checkpoint is no start for a consistency proof: sizes from 1 only.
      ({ checkpoints }) => setList({ state: 'loaded', kept: checkpoints.filter((c) => c.treeSize > 0) }),
      (error: unknown) => setList({ state: 'failed', error }),
    );
  }, []);
  // The newest kept before the head: with the head as the newer, the last stretch of history to check.
  const older = list.state === 'loaded' ? list.kept.find((c) => c.treeSize < head.treeSize) : undefined;
  const check = async () => {
    const [older, newer] = await Promise.all([
      olderHead(publicKey, held.current?.value ?? '', from.current?.value ?? ''),
      signedCheckpoint(publicKey, Number(to.current?.value)),
    ]);
    if (!('root' in older)) return <Verdict id="consistency-result" check={older} verified="" />;
    if (!('root' in newer)) return <Verdict id="consistency-result" check={newer} verified="" />;
    const [m, n] = [older.treeSize, newer.treeSize];
    const verified = `the signed tree of ${n} events extends the signed tree of ${m}: nothing before was rewritten`;
    return <Verdict id="consistency-result" check={await proveConsistency(older, newer)} verified={verified} />;
  };
  return (
    <section aria-labelledby="consistency-title">
      <h3 id="consistency-title">Was history rewritten between two checkpoints?</h3>
      <p>
        Give a size the ledger kept a checkpoint at, or better, paste a checkpoint you kept yourself: a checkpoint held
        outside the ledger is what shows history was not rewritten. Every signature is checked here.
      </p>
      <KeptNote list={list} />
      <CheckForm id="consistency-form" button="Verify consistency" check={check}>
        <NumberField
          id="consistency-from"
          label="Older tree size"
          value={older?.treeSize}
          required={false}
          max={head.treeSize}
          field={from}
          list="kept-sizes"
        />
        <NumberField
          id="consistency-to"
          label="Newer tree size"
          value={head.treeSize}
          max={head.treeSize}
          field={to}
          list="kept-sizes"
        />
        {list.state === 'loaded' && <KeptSizes id="kept-sizes" kept={list.kept} />}
        <span class="field held">
          <label for="consistency-held">or a checkpoint you hold (its text, instead of the older size)</label>
          <textarea ref={held} id="consistency-held" rows={5} spellcheck={false} />
        </span>
      </CheckForm>
    </section>
  );
};
