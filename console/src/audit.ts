import { api } from './api.js';
import { heldCheckpoint, proveConsistency, proveInclusion, signedCheckpoint } from './auditChecks.js';
import type { PublicKey, Verified } from './auditChecks.js';
import { h, show } from './dom.js';
import { showFailure } from './failure.js';
import { hexOf, type Check, type Mismatch } from './proofs.js';

/** A verdict: what was verified in this browser, or the first mismatch found. */
const verdict = (id: string, check: Check, verified: string): HTMLElement =>
  h(
    'p',
    { id, role: 'status', class: `verdict ${check.ok ? 'ok' : 'failed'}` },
    check.ok ? `✔ Verified in this browser: ${verified}` : `✘ Not verified: ${check.mismatch}`,
  );

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

const inclusionSection = (head: Verified, chosen?: number): HTMLElement => {
  const end = head.checkpoint.position;
  const [field, position] = numberField('inclusion-position', 'Event position', chosen ?? end, end);
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

/** The older tree head: the checkpoint pasted (one the auditor holds), else the one the ledger kept at `size`. */
const olderHead = async (key: PublicKey, held: string, size: string) => {
  if (held.trim()) return heldCheckpoint(key, held);
  if (!size) return { ok: false as const, mismatch: 'give the older tree size, or paste a checkpoint you hold' };
  return signedCheckpoint(key, Number(size));
};

const consistencySection = (key: PublicKey, head: Verified): HTMLElement => {
  const [fromField, from] = numberField('consistency-from', 'Older tree size', 1, head.treeSize);
  const [toField, to] = numberField('consistency-to', 'Newer tree size', head.treeSize, head.treeSize);
  from.value = '';
  from.required = false;
  const held = h('textarea', { id: 'consistency-held', rows: '5', spellcheck: 'false' });
  const heldField = h(
    'span',
    { class: 'field held' },
    h('label', { for: 'consistency-held' }, 'or a checkpoint you hold (its text, instead of the older size)'),
    held,
  );
  const out = h('div', { id: 'consistency-out' });
  const run = async () => {
    const [older, newer] = await Promise.all([
      olderHead(key, held.value, from.value),
      signedCheckpoint(key, Number(to.value)),
    ]);
    if (!('root' in older)) return verdict('consistency-result', older, '');
    if (!('root' in newer)) return verdict('consistency-result', newer, '');
    const [m, n] = [older.treeSize, newer.treeSize];
    const verified = `the signed tree of ${n} events extends the signed tree of ${m}: nothing before was rewritten`;
    return verdict('consistency-result', await proveConsistency(older, newer), verified);
  };
  return h(
    'section',
    { 'aria-labelledby': 'consistency-title' },
    h('h3', { id: 'consistency-title' }, 'Was history rewritten between two checkpoints?'),
    h(
      'p',
      {},
      'Give a size the ledger kept a checkpoint at, or better, paste a checkpoint you kept yourself: ' +
        'a checkpoint held outside the ledger is what shows history was not rewritten. Every signature is checked here.',
    ),
    checkForm('consistency-form', [fromField, toField, heldField], 'Verify consistency', out, run),
    out,
  );
};

const checkpointSection = (key: PublicKey, head: Verified | Mismatch): HTMLElement =>
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

/**
 * The audit page: the signed checkpoint, an event's inclusion and two checkpoints' consistency, all
 * checked here. Given a `position` (a link from a meeting's events), its inclusion is checked at once.
 */
export const auditPage = async (main: HTMLElement, position?: number): Promise<void> => {
  const section = h('section', { id: 'audit', 'aria-busy': 'true' }, h('p', {}, 'Loading the latest checkpoint…'));
  show(main, h('h2', {}, 'Audit'), section);
  const key = await api<PublicKey>('GET', '/v1/audit/public-key').catch(showFailure(section));
  const head = key && (await signedCheckpoint(key).catch(showFailure(section)));
  if (!key || !head) return;
  section.setAttribute('aria-busy', 'false');
  if (!('root' in head)) return show(section, checkpointSection(key, head));
  show(section, checkpointSection(key, head), inclusionSection(head, position), consistencySection(key, head));
  if (position !== undefined) section.querySelector<HTMLFormElement>('#inclusion-form')?.requestSubmit();
};
