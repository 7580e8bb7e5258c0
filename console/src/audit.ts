import { api } from './api.js';
import { h, show } from './dom.js';
import { showFailure } from './failure.js';
import type { LedgerEvent } from './meeting.js';
import { checkCheckpoint, checkConsistency, checkInclusion, eventLeafHash, hexOf } from './proofs.js';
import type { Check, SignedTreeHead } from './proofs.js';

type PublicKey = { origin: string; keyId: string; publicKey: string };
type Checkpoint = { treeSize: number; position: number; rootHash: string; text: string; keyId: string };
type InclusionProof = { leafIndex: number; treeSize: number; leafHash: string; auditPath: string[] };
type ConsistencyProof = { from: number; to: number; proof: string[] };
type Verified = SignedTreeHead & { checkpoint: Checkpoint };

/** A verdict: what was verified in this browser, or the first mismatch found. */
const verdict = (id: string, check: Check, verified: string): HTMLElement =>
  h(
    'p',
    { id, role: 'status', class: `verdict ${check.ok ? 'ok' : 'failed'}` },
    check.ok ? `✔ Verified in this browser: ${verified}` : `✘ Not verified: ${check.mismatch}`,
  );

/** A checkpoint the ledger kept, with its signature checked here against the key the page holds. */
const signedCheckpoint = async (key: PublicKey, treeSize?: number): Promise<Verified | Check> => {
  const checkpoint = await api<Checkpoint>(
    'GET',
    `/v1/audit/checkpoint${treeSize === undefined ? '' : `?treeSize=${treeSize}`}`,
  );
  const signed = await checkCheckpoint(checkpoint.text, key.origin, key.publicKey);
  if (!signed.ok) return signed;
  if (signed.treeSize !== checkpoint.treeSize || hexOf(signed.root) !== checkpoint.rootHash) {
    const answered = `size ${checkpoint.treeSize}, root ${checkpoint.rootHash}`;
    return {
      ok: false,
      mismatch: `the signed text says size ${signed.treeSize}, root ${hexOf(signed.root)}; the answer ${answered}`,
    };
  }
  return { ...signed, checkpoint };
};

const eventAt = async (position: number): Promise<LedgerEvent | undefined> => {
  const { events } = await api<{ events: LedgerEvent[] }>('GET', `/v1/events?after=${position - 1}&limit=1`);
  return events[0]?.position === position ? events[0] : undefined;
};

/**
 * The event at `position`: its leaf recomputed from its canonical bytes, its path up to the signed
 * root. Answers the check and what it was about.
 */
const proveInclusion = async (head: Verified, position: number): Promise<[Check, string]> => {
  const about = `the event at position ${position}`;
  const end = head.checkpoint.position;
  if (position > end) return [{ ok: false, mismatch: `${about} is after the checkpoint (it ends at ${end})` }, about];
  const event = await eventAt(position);
  if (!event) return [{ ok: false, mismatch: `the ledger has no event at position ${position}` }, about];
  const query = `position=${position}&treeSize=${head.treeSize}`;
  const proof = await api<InclusionProof>('GET', `/v1/audit/proofs/inclusion?${query}`);
  const what = `${about} (${event.type}, ${event.streamId} revision ${event.revision}, leaf ${proof.leafIndex})`;
  const leaf = await eventLeafHash(event);
  if (hexOf(leaf) !== proof.leafHash.toLowerCase()) {
    const mismatch = `the event's canonical bytes hash to leaf ${hexOf(leaf)}, the proof names ${proof.leafHash}`;
    return [{ ok: false, mismatch }, what];
  }
  return [await checkInclusion(leaf, proof.leafIndex, head.treeSize, proof.auditPath, head.root), what];
};

const proveConsistency = async (key: PublicKey, from: number, to: number): Promise<Check> => {
  const [older, newer] = await Promise.all([signedCheckpoint(key, from), signedCheckpoint(key, to)]);
  if (!('root' in older)) return older;
  if (!('root' in newer)) return newer;
  const { proof } = await api<ConsistencyProof>('GET', `/v1/audit/proofs/consistency?from=${from}&to=${to}`);
  return checkConsistency(from, to, older.root, newer.root, proof);
};

const numberField = (id: string, label: string, value: number, max: number): [HTMLElement, HTMLInputElement] => {
  const input = h('input', {
    id,
    type: 'number',
    min: '1',
    max: String(max),
    step: '1',
    required: true,
    value: String(value),
  });
  return [h('span', { class: 'field' }, h('label', { for: id }, label), input), input];
};

/** A form that runs `check` on submit and shows its verdict (or why the ledger could not answer) in `out`. */
const checkForm = (
  id: string,
  fields: HTMLElement[],
  button: string,
  out: HTMLElement,
  check: () => Promise<HTMLElement>,
) => {
  const form = h('form', { id, class: 'filters' }, ...fields, h('button', { type: 'submit' }, button));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    out.setAttribute('aria-busy', 'true');
    show(out, h('p', {}, 'Checking…'));
    void check().then((shown) => {
      out.setAttribute('aria-busy', 'false');
      show(out, shown);
    }, showFailure(out));
  });
  return form;
};

const inclusionSection = (head: Verified): HTMLElement => {
  const [field, position] = numberField(
    'inclusion-position',
    'Event position',
    head.checkpoint.position,
    head.checkpoint.position,
  );
  const out = h('div', { id: 'inclusion-out' });
  const run = async () => {
    const [check, what] = await proveInclusion(head, Number(position.value));
    return verdict('inclusion-result', check, `${what} is in the signed tree of ${head.treeSize} events`);
  };
  return h(
    'section',
    { 'aria-labelledby': 'inclusion-title' },
    h('h3', { id: 'inclusion-title' }, 'Is this event in the signed log?'),
    h(
      'p',
      {},
      'Recomputes the event’s canonical bytes and RFC 6962 leaf hash, then its audit path up to the signed root.',
    ),
    checkForm('inclusion-form', [field], 'Verify inclusion', out, run),
    out,
  );
};

const consistencySection = (key: PublicKey, head: Verified): HTMLElement => {
  const [fromField, from] = numberField('consistency-from', 'Older tree size', 1, head.treeSize);
  const [toField, to] = numberField('consistency-to', 'Newer tree size', head.treeSize, head.treeSize);
  from.value = '';
  const out = h('div', { id: 'consistency-out' });
  const run = async () => {
    const [m, n] = [Number(from.value), Number(to.value)];
    const verified = `the signed tree of ${n} events extends the signed tree of ${m}: nothing before was rewritten`;
    return verdict('consistency-result', await proveConsistency(key, m, n), verified);
  };
  return h(
    'section',
    { 'aria-labelledby': 'consistency-title' },
    h('h3', { id: 'consistency-title' }, 'Was history rewritten between two checkpoints?'),
    h('p', {}, 'Both sizes must be ones the ledger kept a checkpoint at; both signatures are checked here too.'),
    checkForm('consistency-form', [fromField, toField], 'Verify consistency', out, run),
    out,
  );
};

const checkpointSection = (key: PublicKey, head: Verified | Check): HTMLElement =>
  h(
    'section',
    { 'aria-labelledby': 'checkpoint-title' },
    h('h3', { id: 'checkpoint-title' }, 'Latest signed checkpoint'),
    'root' in head &&
      h(
        'dl',
        { class: 'facts-list' },
        ...[
          ['Origin', head.origin],
          ['Tree size', String(head.treeSize)],
          ['Last position', String(head.checkpoint.position)],
          ['Root hash', hexOf(head.root)],
          ['Key id', key.keyId],
        ].flatMap(([name, value]) => [h('dt', {}, name), h('dd', { class: 'hash' }, value)]),
      ),
    'root' in head && h('pre', { id: 'checkpoint-text' }, head.checkpoint.text),
    verdict('checkpoint-result', 'root' in head ? { ok: true } : head, `Ed25519 signature by ${key.origin}`),
    h(
      'p',
      { class: 'note' },
      `The key comes from this ledger: compare its id (${key.keyId}) with one you keep. Checking against a key fetched again from the ledger under audit proves nothing if both were replaced.`,
    ),
  );

/** The audit page: the signed checkpoint, an event's inclusion and two checkpoints' consistency, all checked here. */
export const auditPage = async (main: HTMLElement): Promise<void> => {
  const section = h('section', { id: 'audit', 'aria-busy': 'true' }, h('p', {}, 'Loading the latest checkpoint…'));
  show(main, h('h2', {}, 'Audit'), section);
  const key = await api<PublicKey>('GET', '/v1/audit/public-key').catch(showFailure(section));
  const head = key && (await signedCheckpoint(key).catch(showFailure(section)));
  if (!key || !head) return;
  section.setAttribute('aria-busy', 'false');
  show(
    section,
    checkpointSection(key, head),
    'root' in head && inclusionSection(head),
    'root' in head && consistencySection(key, head),
  );
};
