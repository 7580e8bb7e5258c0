import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api.js';
import { proveInclusion, signedCheckpoint, type PublicKey, type Verified } from './auditChecks.js';
import { ConsistencySection } from './auditConsistency.js';
import { CheckForm, NumberField, Verdict } from './auditForms.js';
import { mount } from './dom.js';
import { Failure } from './failure.js';
import { hexOf, type Mismatch } from './proofs.js';

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
