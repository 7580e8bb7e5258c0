import type { ZodType } from 'zod';
import { ApiRefusal } from './api.js';
import { h } from './dom.js';
import { placeIssues, placeProblem, type Placed } from './formsErrors.js';
import { formSubmitter, isAnswer, type Accepted } from './formsSubmission.js';

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

const control = (spec: CommandFormSpec, field: Field): Control => {
  const id = `${spec.id}-${field.name}`;
  const attributes = {
    id,
    name: field.name,
    'aria-describedby': `${id}-hint ${id}-error`,
    'aria-required': field.required ? 'true' : undefined,
  };
  switch (field.kind ?? 'text') {
    case 'long':
    case 'lines':
      return h('textarea', { ...attributes, rows: field.kind === 'lines' ? '4' : '2' });
    case 'choice':
      return h(
        'select',
        attributes,
        !field.required && h('option', { value: '' }, '(none)'),
        ...(field.choices ?? []).map(([value, label]) => h('option', { value }, label)),
      );
    case 'date':
      return h('input', { ...attributes, type: 'date' });
    case 'text':
      return h('input', { ...attributes, type: 'text', autocomplete: 'off' });
  }
};

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

/** A form for one command: checked in the browser, sent with an Idempotency-Key and If-Match, refusals shown in place. */
export const commandForm = (spec: CommandFormSpec, handlers: FormHandlers): HTMLFormElement => {
  const send = formSubmitter();
  const controls = new Map(spec.fields.map((field) => [field.name, control(spec, field)]));
  const errors = new Map(
    spec.fields.map((f) => [f.name, h('p', { id: `${spec.id}-${f.name}-error`, class: 'field-error' })]),
  );
  const general = h('p', { class: 'form-error', role: 'alert' });
  const button = h('button', { type: 'submit' }, spec.submit);
  const form = h(
    'form',
    { id: spec.id, class: 'command', novalidate: true },
    h(
      'fieldset',
      {},
      h('legend', {}, spec.legend),
      general,
      ...spec.fields.map((field) =>
        h(
          'div',
          { class: 'form-field' },
          h(
            'label',
            { for: `${spec.id}-${field.name}` },
            field.label,
            !field.required && h('span', { class: 'optional' }, ' (optional)'),
          ),
          controls.get(field.name),
          h('p', { id: `${spec.id}-${field.name}-hint`, class: 'hint' }, field.hint),
          errors.get(field.name),
        ),
      ),
      button,
    ),
  );
  const values = (): Values => Object.fromEntries([...controls].map(([name, c]) => [name, c.value]));
  const showPlaced = (placed: Placed, summary: string | undefined): void => {
    general.textContent = [...placed.general, ...(placed.general.length === 0 && summary ? [summary] : [])].join(' ');
    for (const [name, message] of placed.byField) {
      controls.get(name)?.setAttribute('aria-invalid', 'true');
      const error = errors.get(name);
      if (error) error.textContent = message;
    }
    const first = [...controls].find(([name]) => placed.byField.has(name))?.[1];
    first?.focus();
  };
  const clear = (): void => {
    general.textContent = '';
    for (const [name, c] of controls) {
      c.removeAttribute('aria-invalid');
      const error = errors.get(name);
      if (error) error.textContent = '';
    }
  };
  const submit = async (): Promise<void> => {
    clear();
    const given = values();
    const body = bodyOf(spec, given);
    const placed = check(spec, given, body);
    if (placed.byField.size > 0 || placed.general.length > 0)
      return showPlaced(placed, 'Check the fields marked below.');
    button.disabled = true;
    try {
      handlers.accepted(await send(spec.path(given), body, spec.revision));
    } catch (error) {
      if (error instanceof ApiRefusal && handlers.refused?.(error, given)) return;
      if (isAnswer(error)) {
        return showPlaced(placeProblem(error.problem, [...controls.keys()]), error.problem.title);
      }
      general.textContent = `Not sure the ledger recorded this (${error instanceof Error ? error.message : String(error)}). Submit again to retry safely: the same submission is never applied twice.`;
    } finally {
      button.disabled = false;
    }
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit();
  });
  return form;
};

/** Puts values back into a form drawn again (after the meeting changed under it). */
export const refill = (form: HTMLFormElement, values: Values): void => {
  for (const [name, value] of Object.entries(values)) {
    const element = form.elements.namedItem(name);
    if (
      element instanceof HTMLInputElement ||
      element instanceof HTMLTextAreaElement ||
      element instanceof HTMLSelectElement
    ) {
      element.value = value;
    }
  }
};
