import { describe, expect, it } from 'vitest';
import { calendarDate, forumSlug, instant, slug, text, ulidString } from '../../src/domain/shared/values.js';

const accepts = (schema: { safeParse: (v: unknown) => { success: boolean } }, value: unknown) =>
  schema.safeParse(value).success;

describe('slug', () => {
  it.each(['african-union', 'lake-chad-basin', 'mnjtf', 'g7', '2017-ministerial'])('accepts %j', (value) => {
    expect(accepts(slug, value)).toBe(true);
  });

  it.each([
    'African-Union',
    'african union',
    'african_union',
    '-mnjtf',
    'mnjtf-',
    'lake--chad',
    'mosul/raqqa',
    'çad',
    '',
  ])('rejects %j', (value) => {
    expect(accepts(slug, value)).toBe(false);
  });

  it('rejects a slug longer than 64 characters', () => {
    expect(accepts(slug, 'a'.repeat(64))).toBe(true);
    expect(accepts(slug, 'a'.repeat(65))).toBe(false);
  });
});

describe('forumSlug', () => {
  it.each(['plenary', 'small-group', 'working-group/counter-finance', 'working-group/foreign-terrorist-fighters'])(
    'accepts %j',
    (value) => {
      expect(accepts(forumSlug, value)).toBe(true);
    },
  );

  it.each(['working-group/counter-finance/iraq', 'working-group/', '/plenary', 'Small-Group', 'working group'])(
    'rejects %j',
    (value) => {
      expect(accepts(forumSlug, value)).toBe(false);
    },
  );
});

describe('ulidString', () => {
  it('accepts a ULID in upper-case Crockford base32', () => {
    expect(accepts(ulidString, '01BKS3Q5G0X7Y8Z9ABCDEFGHJK')).toBe(true);
  });

  it.each([
    ['lower case', '01bks3q5g0x7y8z9abcdefghjk'],
    ['too short', '01BKS3Q5G0X7Y8Z9ABCDEFGHJ'],
    ['too long', '01BKS3Q5G0X7Y8Z9ABCDEFGHJKM'],
    ['beyond the largest timestamp', '81BKS3Q5G0X7Y8Z9ABCDEFGHJK'],
    ['with letters Crockford leaves out', '01BKS3Q5G0X7Y8Z9ABCDEFGHIL'],
    ['a UUID', '3f2504e0-4f89-11d3-9a0c-0305e82c3301'],
  ])('rejects an id %s', (_case, value) => {
    expect(accepts(ulidString, value)).toBe(false);
  });
});

describe('instant', () => {
  it.each([
    ['2017-07-13T09:00:00-04:00', '2017-07-13T13:00:00.000Z'],
    ['2017-07-13T13:00:00Z', '2017-07-13T13:00:00.000Z'],
    ['2017-07-13T15:00:00+02:00', '2017-07-13T13:00:00.000Z'],
    ['2017-07-13T09:00:00+14:00', '2017-07-12T19:00:00.000Z'],
    ['2016-02-29T12:00:00Z', '2016-02-29T12:00:00.000Z'],
    ['2017-07-13T13:00:00.123456Z', '2017-07-13T13:00:00.123Z'],
  ])('normalises %j to %j', (value, normalised) => {
    expect(instant.parse(value)).toBe(normalised);
  });

  it.each([
    ['without an offset', '2017-07-13T09:00:00'],
    ['with a date alone', '2017-07-13'],
    ['on 30 February', '2017-02-30T09:00:00Z'],
    ['on 29 February outside a leap year', '2017-02-29T09:00:00Z'],
    ['at hour 24', '2017-07-13T24:00:00Z'],
    ['in month 13', '2017-13-01T09:00:00Z'],
    ['in prose', '13 July 2017, 9am EDT'],
    ['longer than 40 characters', '2017-07-13T09:00:00.000000000000000000000Z'],
    ['that an offset pushes past the year 9999', '9999-12-31T23:59:59-14:00'],
  ])('rejects an instant %s', (_case, value) => {
    expect(accepts(instant, value)).toBe(false);
  });

  it('rejects a number of milliseconds', () => {
    expect(accepts(instant, 1499950800000)).toBe(false);
  });
});

describe('calendarDate', () => {
  it.each(['2017-07-13', '2016-02-29', '2017-12-31'])('accepts %j', (value) => {
    expect(calendarDate.parse(value)).toBe(value);
  });

  it.each(['2017-02-30', '2017-02-29', '2017-04-31', '2017-07-13T00:00:00Z'])('rejects %j', (value) => {
    expect(accepts(calendarDate, value)).toBe(false);
  });
});

describe('text', () => {
  const minutes = text(50);

  it('keeps text exactly as recorded, surrounding spaces included', () => {
    expect(minutes.parse(' Mosul is on the verge of liberation ')).toBe(' Mosul is on the verge of liberation ');
  });

  it.each([
    ['tabs and newlines', 'Mosul:\tverge of liberation\r\nRaqqa:\toffensive'],
    ['accented letters', 'Tchad, Niger, Nigéria, Cameroun'],
    ['a character outside the basic plane', 'Raqqa 🇸🇾'],
  ])('accepts %s', (_case, value) => {
    expect(accepts(minutes, value)).toBe(true);
  });

  it.each([
    ['empty text', ''],
    ['spaces only', '   '],
    ['whitespace only', '\t\n\u00a0'],
    ['a NUL byte', 'Mosul\u0000'],
    ['a bell', 'Mosul\u0007'],
    ['an escape', '\u001b[31mRaqqa'],
    ['a DEL', 'Raqqa\u007f'],
    ['a C1 next-line control', 'Raqqa\u0085'],
    ['a lone high surrogate', 'Raqqa \ud83c'],
    ['a lone low surrogate', '\udde6 Raqqa'],
    ['surrogates in the wrong order', 'Raqqa \udde6\ud83c'],
  ])('rejects %s', (_case, value) => {
    expect(accepts(minutes, value)).toBe(false);
  });

  it('rejects text longer than its limit', () => {
    expect(accepts(minutes, 'x'.repeat(50))).toBe(true);
    expect(accepts(minutes, 'x'.repeat(51))).toBe(false);
  });
});
