import type { ComponentChildren, VNode } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Failure } from './failure.js';
import type { Check } from './proofs.js';

/** A verdict: what was verified in this browser, or the first mismatch found. */
export const Verdict = ({ id, check, verified }: { id: string; check: Check; verified: string }) => (
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

export const NumberField = ({
  id,
  label,
  value,
  max,
  field,
  required = value !== undefined,
  list,
}: NumberFieldProps) => (
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
export const CheckForm = ({ id, button, check, atOnce, children }: CheckFormProps) => {
  const [shown, setShown] = useState<Shown>({ state: 'idle' });
  // Checks may answer out of order (the at-once check and a submit, or two submits): only the last
  // run's verdict is shown, or it would verify values the fields no longer hold.
  const runs = useRef(0);
  const run = () => {
    const running = ++runs.current;
    const show = (latest: Shown) => running === runs.current && setShown(latest);
    setShown({ state: 'checking' });
    check().then(
      (verdict) => show({ state: 'done', verdict }),
      (error: unknown) => show({ state: 'failed', error }),
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
