import type { ComponentChildren, VNode } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api.js';
import { heldCheckpoint, proveConsistency, proveInclusion, signedCheckpoint } from './auditChecks.js';
import type { PublicKey, Verified } from './auditChecks.js';
import { mount } from './dom.js';
import { Failure } from './failure.js';
import { hexOf, type Check, type Mismatch } from './proofs.js';

/** A verdict: what was verified in this browser, or the first mismatch found. */
const Verdict = ({ id, check, verified }: { id: string; check: Check; verified: string }) => (
  <p id={id} role="status" class={`verdict ${check.ok ? 'ok' : 'failed'}`}>
    {check.ok ? `✔ Verified in this browser: ${verified}` : `✘ Not verified: ${check.mismatch}`}
  </p>
);

type NumberFieldProps = {
  id: string;
  label: string;
  value?: number | undefined;
  max: number;
  field: { current: HTMLInputElement | null };
  /** Required unless told: a field drawn with a value must keep one. */
  required?: boolean;
  /** The id of a <datalist> of values to offer. */
  list?: string;
};

const NumberField = ({ id, label, value, max, field, required = value !== undefined, list }: NumberFieldProps) => (
  <span class="field">
    <label for={id}>{label}</label>
    <input
      ref={field}
      id={id}
      type="number"
      min="1"
      max={String(max)}
      step="1"
      required={required}
      list={list}
      defaultValue={value === undefined ? '' : String(value)}
    />
  </span>
);

type Shown =
  { state: 'idle' } | { state: 'checking' } | { state: 'done'; verdict: VNode } | { state: 'failed'; error: unknown };

type CheckFormProps = {
  id: string;
  button: string;
  check: () => Promise<VNode>;
  /** Checks once as soon as drawn (the page was opened for this event). */
  atOnce?: boolean;
  children: ComponentChildren;
};

/** A form that runs `check` on submit and shows its verdict (or why the ledger could not answer) below it. */
const CheckForm = ({ id, button, check, atOnce, children }: CheckFormProps) => {
  const [shown, setShown] = useState<Shown>({ state: 'idle' });
  const run = () => {
    setShown({ state: 'checking' });
    check().then(
      (verdict) => setShown({ state: 'done', verdict }),
      (error: unknown) => setShown({ state: 'failed', error }),
    );
  };
  useEffect(() => {
    if (atOnce) run();
  }, []);
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    run();
  };
  return (
    <>
      <form id={id} class="filters" onSubmit={submit}>
        {children}
        <button type="submit">{button}</button>
      </form>
      <div
        id={id.replace(/-form$/, '-out')}
        aria-busy={shown.state === 'idle' ? undefined : shown.state === 'checking'}
      >
        {shown.state === 'checking' && <p>Checking…</p>}
        {shown.state === 'done' && shown.verdict}
        {shown.state === 'failed' && <Failure error={shown.error} />}
      </div>
    </>
  );
};

const InclusionSection = ({ head, chosen }: { head: Verified; chosen?: number }) => {
  const end = head.checkpoint.position;
  const position = useRef<HTMLInputElement>(null);
  const check = async () => {
    const [result, what] = await proveInclusion(head, Number(position.current?.value));
    return (
      <Verdict
        id="inclusion-result"
        check={result}
        verified={`${what} is in the signed tree of ${head.treeSize} events`}
      />
    );
  };
  return (
    <section aria-labelledby="inclusion-title">
      <h3 id="inclusion-title">Is this event in the signed log?</h3>
      <p>Recomputes the event’s canonical bytes and RFC 6962 leaf hash, then its audit path up to the signed root.</p>
      <CheckForm id="inclusion-form" button="Verify inclusion" check={check} atOnce={chosen !== undefined}>
        <NumberField id="inclusion-position" label="Event position" value={chosen ?? end} max={end} field={position} />
      </CheckForm>
    </section>
  );
};

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

const ConsistencySection = ({ publicKey, head }: { publicKey: PublicKey; head: Verified }) => {
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

const CheckpointSection = ({ publicKey, head }: { publicKey: PublicKey; head: Verified | Mismatch }) => {
  const facts =
    'root' in head
      ? [
          ['Origin', head.origin],
          ['Tree size', String(head.treeSize)],
          ['Last position', String(head.checkpoint.position)],
          ['Root hash', hexOf(head.root)],
          ['Key id', publicKey.keyId],
        ]
      : [];
  return (
    <section aria-labelledby="checkpoint-title">
      <h3 id="checkpoint-title">Latest signed checkpoint</h3>
      {'root' in head && (
        <>
          <dl class="facts-list">
            {facts.map(([name, value]) => [
              <dt key={`${name}-name`}>{name}</dt>,
              <dd key={name} class="hash">
                {value}
              </dd>,
            ])}
          </dl>
          <pre id="checkpoint-text">{head.checkpoint.text}</pre>
        </>
      )}
      <Verdict
        id="checkpoint-result"
        check={'root' in head ? { ok: true } : head}
        verified={`Ed25519 signature by ${publicKey.origin}`}
      />
      <p class="note">
        The key comes from this ledger: compare its id ({publicKey.keyId}) with one you keep. Checking against a key
        fetched again from the ledger under audit proves nothing if both were replaced.
      </p>
    </section>
  );
};

type Loaded =
  | { state: 'loading' }
  | { state: 'failed'; error: unknown }
  | { state: 'loaded'; publicKey: PublicKey; head: Verified | Mismatch };

const Audit = ({ position }: { position?: number }) => {
  const [loaded, setLoaded] = useState<Loaded>({ state: 'loading' });
  useEffect(() => {
    const load = async () => {
      const publicKey = await api<PublicKey>('GET', '/v1/audit/public-key');
      setLoaded({ state: 'loaded', publicKey, head: await signedCheckpoint(publicKey) });
    };
    load().catch((error: unknown) => setLoaded({ state: 'failed', error }));
  }, []);
  return (
    <>
      <h2>Audit</h2>
      <section id="audit" aria-busy={loaded.state === 'loading'}>
        {loaded.state === 'loading' && <p>Loading the latest checkpoint…</p>}
        {loaded.state === 'failed' && <Failure error={loaded.error} />}
        {loaded.state === 'loaded' && <CheckpointSection publicKey={loaded.publicKey} head={loaded.head} />}
        {loaded.state === 'loaded' && 'root' in loaded.head && (
          <>
            <InclusionSection head={loaded.head} chosen={position} />
            <ConsistencySection publicKey={loaded.publicKey} head={loaded.head} />
          </>
        )}
      </section>
    </>
  );
};

/**
 * The audit page: the signed checkpoint, an event's inclusion and two checkpoints' consistency, all
 * checked here. Given a `position` (a link from a meeting's events), its inclusion is checked at once.
 */
export const auditPage = (main: HTMLElement, position?: number): Promise<void> => {
  mount(main, <Audit position={position} />);
  return Promise.resolve();
};
