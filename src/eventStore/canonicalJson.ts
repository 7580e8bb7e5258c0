// RFC 8785 (JSON Canonicalization Scheme) written by hand for the values events hold: the stores write
// payloads in it (storedRows), and the audit hashes it (src/audit/canonical.ts). Verification
// canonicalises every event of the log, so this is on the hot path: it writes each string once,
// sorts keys in place, and builds no intermediate entries arrays. Its output is byte-for-byte the
// output of the first implementation (tests/audit/jcsReference.ts), which the property tests check.

// What JSON.stringify escapes: the quote, the backslash, control characters and lone surrogates
// (paired surrogates are written as they are, but a string holding any surrogate takes the slow path).
// eslint-disable-next-line no-control-regex -- control characters are exactly what must be escaped
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;

/** A JSON string literal exactly as JSON.stringify writes it (and so as JCS does). */
export const quote = (text: string): string => (NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`);

const refuse = (value: unknown): never => {
  throw new TypeError(`JCS cannot encode a ${typeof value}`);
};

const serialiseNumber = (value: number): string => {
  if (!Number.isFinite(value)) throw new TypeError('JCS cannot encode a non-finite number');
  // ECMAScript's Number::toString, which is what JSON.stringify and JCS write (-0 becomes 0).
  return String(value);
};

const serialiseArray = (values: readonly unknown[]): string => {
  let text = '[';
  for (let i = 0; i < values.length; i += 1) {
    if (i > 0) text += ',';
    text += canonicalJson(values[i]);
  }
  return `${text}]`;
};

/**
 * Own keys in UTF-16 code unit order (as `<` compares strings). Objects in events have a handful of
 * keys, for which an insertion sort costs a third of Array.prototype.sort; a large one is sorted by
 * the library sort, so a hostile object cannot make it quadratic.
 */
const sortedKeys = (object: object): string[] => {
  const keys = Object.keys(object);
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i += 1) {
    const key = keys[i]!;
    let j = i - 1;
    for (; j >= 0 && keys[j]! > key; j -= 1) keys[j + 1] = keys[j]!;
    keys[j + 1] = key;
  }
  return keys;
};

const serialiseObject = (object: Record<string, unknown>): string => {
  // The default sort compares UTF-16 code units, which is JCS's order (integer-like keys included:
  // "10" sorts before "9", unlike the order Object.keys gives them in).
  const keys = sortedKeys(object);
  let text = '{';
  let first = true;
  for (const key of keys) {
    const member = object[key];
    if (member === undefined) continue; // as JSON.stringify: an undefined member is not written
    text += `${first ? '' : ','}${quote(key)}:${canonicalJson(member)}`;
    first = false;
  }
  return `${text}}`;
};

/**
 * The JCS text of a JSON value: object keys sorted by UTF-16 code units, no whitespace, strings and
 * numbers as ECMAScript's JSON.stringify writes them. Throws a TypeError for what JSON cannot hold
 * (non-finite numbers, undefined in an array, functions, symbols, bigints).
 */
export const canonicalJson = (value: unknown): string => {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return serialiseNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      return Array.isArray(value) ? serialiseArray(value) : serialiseObject(value as Record<string, unknown>);
    case 'undefined':
    case 'function':
    case 'symbol':
    case 'bigint':
      return refuse(value);
  }
};
