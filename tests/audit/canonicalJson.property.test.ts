import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AUDITED_METADATA, canonicalBytes, type AuditableEvent } from '../../src/audit/canonical.js';
import { canonicalJson } from '../../src/eventStore/canonicalJson.js';
import { referenceCanonicalBytes, referenceJcs } from './jcsReference.js';

const RUNS = Number(process.env.CANONICAL_RUNS ?? 2_000);

// Any UTF-16 code units, lone surrogates included, plus text a ledger really holds.
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.constantFrom(
    '',
    'Côte d’Ivoire',
    'a"b\\c\n\t\u0000\u001f\u007f',
    '\u2028\u2029',
    '\ud83d\ude00',
    '\ud800',
    'x\udc00y',
  ),
);

// Integer-like keys are where JCS order and Object.keys order differ ("10" before "9").
const key = fc.oneof(
  text,
  fc.nat({ max: 1_000 }).map(String),
  fc.constantFrom('__proto__', 'constructor', '10', '9', '-1', '01', '4294967295', 'a', 'A', 'é', '\ud83d\ude00'),
);

const number = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(-0, 0.1, 1e21, 1e-7, 123456789012345680000, Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53),
);

const { json } = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    number,
    text,
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(key, tie('json'), { maxKeys: 5 }),
  ),
}));

/** What an event holds after a round trip through the store: JSON.parse output, own __proto__ keys and all. */
const stored = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

const metadata = fc.record(
  {
    ...Object.fromEntries(AUDITED_METADATA.map((field) => [field, fc.oneof(text, fc.constant(null), json)])),
    schemaVersion: fc.oneof(fc.nat(3), fc.constant(null)),
    notAudited: json,
  },
  { requiredKeys: [] },
);

const event: fc.Arbitrary<AuditableEvent> = fc.record({
  streamId: text,
  revision: fc.nat(),
  eventId: text,
  type: text,
  data: json,
  metadata,
});

describe('the hand-written RFC 8785 serialiser', () => {
  it('writes every JSON value exactly as the first implementation did', () => {
    fc.assert(
      fc.property(json, (value) => {
        expect(canonicalJson(value)).toBe(referenceJcs(value));
        const roundTripped = stored(value);
        expect(canonicalJson(roundTripped)).toBe(referenceJcs(roundTripped));
      }),
      { numRuns: RUNS },
    );
  });

  it('gives every event the same canonical bytes as the first implementation', () => {
    fc.assert(
      fc.property(event, (e) => {
        expect(canonicalBytes(e).equals(referenceCanonicalBytes(e))).toBe(true);
        const fromStore = { ...e, data: stored(e.data), metadata: stored(e.metadata) as Record<string, unknown> };
        expect(canonicalBytes(fromStore).equals(referenceCanonicalBytes(fromStore))).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('leaves out a missing member as the first implementation did', () => {
    const bare = { streamId: 's', revision: 0, eventId: 'e', type: 't', data: undefined, metadata: {} };
    expect(canonicalBytes(bare).toString()).toBe(referenceCanonicalBytes(bare).toString());
    const noStream = { ...bare, data: { a: 1 }, streamId: undefined as unknown as string };
    expect(canonicalBytes(noStream).toString()).toBe(referenceCanonicalBytes(noStream).toString());
  });

  it('refuses what JSON cannot hold, as the first implementation did', () => {
    for (const value of [Number.NaN, Infinity, [undefined], [() => 1], { f: Symbol('s') }, 10n]) {
      expect(() => canonicalJson(value)).toThrow(TypeError);
      expect(() => referenceJcs(value)).toThrow(TypeError);
    }
    expect(canonicalJson({ skipped: undefined, kept: 1 })).toBe(referenceJcs({ skipped: undefined, kept: 1 }));
  });
});
