import type { ZodType } from 'zod';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiRefusal } from './api.js';
import { placeIssues, placeProblem, type Placed } from './formsErrors.js';
import { formSubmitter, isAnswer, type Accepted } from './formsSubmission.js';
import { reasonOf } from './failure.js';

export type Choice = readonly [value: string, label: string];
export type Values = Record<string, string>;

/** One field of a command: `name` is its property in the command's body (or its path, `inPath`). */
export type Field = {
  name: string;
  label: string;
  /** text: one line; long: a paragraph; lines: one entry a line; choice: one of `choices`; date: a calendar day. */
  kind?: 'text' | 'long' | 'lines' | 'choice' | 'date';
  choices?: readonly Choice[];
  required?: boolean;
  hint?: string;
  /** Goes into the URL, not the body: the outcome a correction names. */
  inPath?: boolean;
};

/** A secretariat form: one command, its fields, and the schema the ledger checks its body with. */
export type CommandFormSpec = {
  id: string;
  legend: string;
  submit: string;
  fields: readonly Field[];
  schema: ZodType;
  path: (values: Values) => string;
  /** The meeting's revision, sent as If-Match; none for a command that starts a stream. */
  revision?: number;
};

export type FormHandlers = {
  accepted: (accepted: Accepted) => void;
  /** A refusal the page handles itself (a stale revision); true when it did. */
  refused?: (refusal: ApiRefusal, values: Values) => boolean;
};

type Control = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

type ControlProps = {
  spec: CommandFormSpec;
  field: Field;
  value: string;
  invalid: boolean;
  set: (value: string) => void;
};

const FieldControl = ({ spec, field, value, invalid, set }: ControlProps) => {
  const id = `${spec.id}-${field.name}`;
  const attributes = {
    id,
    name: field.name,
    value,
    'aria-describedby': `${id}-hint ${id}-error`,
    'aria-required': field.required ? ('true' as const) : undefined,
    'aria-invalid': invalid ? ('true' as const) : undefined,
    onInput: (event: Event) => set((event.currentTarget as Control).value),
  };
  switch (field.kind ?? 'text') {
    case 'long':
    case 'lines':
      return <textarea {...attributes} rows={field.kind === 'lines' ? 4 : 2} />;
    case 'choice':
      return (
        <select {...attributes}>
          {!field.required && <option value="">(none)</option>}
          {(field.choices ?? []).map(([choice, label]) => (
            <option key={choice} value={choice}>
              {label}
            </option>
          ))}
        </select>
      );
    case 'date':
      return <input {...attributes} type="date" />;
    case 'text':
      return <input {...attributes} type="text" autocomplete="off" />;
  }
};

/** What a form shows before anything is typed: `kept` values, else empty (a required choice: its first). */
const startingValues = (spec: CommandFormSpec, kept: Values | undefined): Values =>
  Object.fromEntries(
    spec.fields.map((field) => {
      const first = field.kind === 'choice' && field.required ? (field.choices?.[0]?.[0] ?? '') : '';
      return [field.name, kept?.[field.name] ?? first];
    }),
  );

/** The body the ledger takes: empty optional fields left out, `lines` as a list of `{ title }`. */
const bodyOf = (spec: CommandFormSpec, values: Values): Record<string, unknown> => {
  const body: Record<string, unknown> = {};
  for (const field of spec.fields) {
    const value = values[field.name] ?? '';
    if (field.inPath || (value === '' && !field.required)) continue;
    body[field.name] =
      field.kind === 'lines'
        ? value
            .split('\n')
            .map((line) => line.trim())
            .filter((line) => line !== '')
            .map((title) => ({ title }))
        : value;
  }
  return body;
};

/** The browser's check, from the ledger's own schema; an empty required field is simply asked for. */
const check = (spec: CommandFormSpec, values: Values, body: unknown): Placed => {
  const names = spec.fields.map((field) => field.name);
  const result = spec.schema.safeParse(body);
  const placed = result.success ? placeIssues([], names) : placeIssues(result.error.issues, names);
  for (const field of spec.fields) {
    if (field.required && !values[field.name]) placed.byField.set(field.name, 'Fill this in.');
  }
  return placed;
};

type Shown = { placed: Placed; summary?: string } | { unsure: string } | undefined;

const generalText = (shown: Shown): string => {
  if (shown === undefined) return '';
  if ('unsure' in shown) return shown.unsure;
  const { placed, summary } = shown;
  return [...placed.general, ...(placed.general.length === 0 && summary ? [summary] : [])].join(' ');
};

type CommandFormProps = {
  spec: CommandFormSpec;
  handlers: FormHandlers;
  /** What was typed in this form before it was drawn again (the meeting changed under it). */
  kept?: Values;
};

/** A form for one command: checked in the browser, sent with an Idempotency-Key and If-Match, refusals shown in place. */
export const CommandForm = ({ spec, handlers, kept }: CommandFormProps) => {
  const [send] = useState(formSubmitter);
  const [values, setValues] = useState(() => startingValues(spec, kept));
  const [shown, setShown] = useState<Shown>();
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const byField = shown && 'placed' in shown ? shown.placed.byField : new Map<string, string>();
  // The first field refused takes the focus, so that a keyboard or screen-reader user lands on it.
  useEffect(() => form.current?.querySelector<Control>('[aria-invalid="true"]')?.focus(), [shown]);
  const submit = async (): Promise<void> => {
    setShown(undefined);
    const body = bodyOf(spec, values);
    const placed = check(spec, values, body);
    if (placed.byField.size > 0 || placed.general.length > 0)
      return setShown({ placed, summary: 'Check the fields marked below.' });
    setBusy(true);
    try {
      handlers.accepted(await send(spec.path(values), body, spec.revision));
    } catch (error) {
      if (error instanceof ApiRefusal && handlers.refused?.(error, values)) return;
      if (isAnswer(error)) {
        const names = spec.fields.map((field) => field.name);
        return setShown({ placed: placeProblem(error.problem, names), summary: error.problem.title });
      }
      setShown({
        unsure: `Not sure the ledger recorded this (${reasonOf(error)}). Submit again to retry safely: the same submission is never applied twice.`,
      });
    } finally {
      setBusy(false);
    }
  };
  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    void submit();
  };
  return (
    <form ref={form} id={spec.id} class="command" noValidate onSubmit={onSubmit}>
      <fieldset>
        <legend>{spec.legend}</legend>
        <p class="form-error" role="alert">
          {generalText(shown)}
        </p>
        {spec.fields.map((field) => (
          <div key={field.name} class="form-field">
            <label for={`${spec.id}-${field.name}`}>
              {field.label}
              {!field.required && <span class="optional"> (optional)</span>}
            </label>
            <FieldControl
              spec={spec}
              field={field}
              value={values[field.name] ?? ''}
              invalid={byField.has(field.name)}
              set={(value) => setValues((before) => ({ ...before, [field.name]: value }))}
            />
            <p id={`${spec.id}-${field.name}-hint`} class="hint">
              {field.hint}
            </p>
            <p id={`${spec.id}-${field.name}-error`} class="field-error">
              {byField.get(field.name)}
            </p>
          </div>
        ))}
        <button type="submit" disabled={busy}>
          {spec.submit}
        </button>
      </fieldset>
    </form>
  );
};
