import { canonicalText, type AuditableEvent } from '../../src/audit/canonicalText.js';

/**
 * docs/audit.md recomputed with the browser's WebCrypto: the page trusts the ledger for nothing but
 * the bytes it sends, and names the exact mismatch when they do not add up. The canonical text is
 * the server's own code (src/audit/canonicalText.ts); tests/console/proofs.test.ts checks the rest
 * against src/audit.
 */
export type Mismatch = { ok: false; mismatch: string };
export type Check = { ok: true } | Mismatch;

const passed: Check = { ok: true };
const failed = (mismatch: string): Mismatch => ({ ok: false, mismatch });
const HASH_BYTES = 32;

export const hexOf = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/** The bytes of a hex string, or undefined when it is not one. */
export const bytesOfHex = (hex: string): Uint8Array | undefined => {
  if (!/^(?:[0-9a-f]{2})*$/i.test(hex)) return undefined;
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
};

const bytesOfBase64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

const concat = (...parts: Uint8Array[]): Uint8Array<ArrayBuffer> => {
  const all = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return all;
};

const sha256 = async (...parts: Uint8Array[]): Promise<Uint8Array> =>
  new Uint8Array(await crypto.subtle.digest('SHA-256', concat(...parts)));

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** RFC 6962 leaf hash of an event: SHA-256(0x00 || canonical bytes). */
export const eventLeafHash = (event: AuditableEvent): Promise<Uint8Array> =>
  sha256(Uint8Array.of(0), new TextEncoder().encode(canonicalText(event)));

const nodeHash = (left: Uint8Array, right: Uint8Array): Promise<Uint8Array> => sha256(Uint8Array.of(1), left, right);

const lsb = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);
const isPowerOfTwo = (n: number): boolean => n > 0 && 2 ** Math.round(Math.log2(n)) === n;

/** The hashes of a proof, or the first one that is not a 32-byte hex hash. */
const hashesOf = (proof: readonly string[]): Uint8Array[] | string => {
  const hashes: Uint8Array[] = [];
  for (const [i, hex] of proof.entries()) {
    const bytes = bytesOfHex(hex);
    if (bytes?.length !== HASH_BYTES) return `proof hash ${i} is not a 32-byte hex hash: ${hex}`;
    hashes.push(bytes);
  }
  return hashes;
};

/** RFC 9162 section 2.1.3.2: does `leaf`, at `index` of a tree of `size` leaves, lead along `path` to `root`? */
export const checkInclusion = async (
  leaf: Uint8Array,
  index: number,
  size: number,
  path: readonly string[],
  root: Uint8Array,
): Promise<Check> => {
  if (!Number.isSafeInteger(index) || index < 0 || index >= size)
    return failed(`leaf ${index} is not in a tree of ${size}`);
  const hashes = hashesOf(path);
  if (typeof hashes === 'string') return failed(hashes);
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of hashes) {
    if (sn === 0) return failed(`the path has ${hashes.length} hashes, too many for leaf ${index} of ${size}`);
    if (lsb(fn) || fn === sn) {
      r = await nodeHash(p, r);
      while (!lsb(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      r = await nodeHash(r, p);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  if (sn !== 0) return failed(`the path has ${hashes.length} hashes, too few for leaf ${index} of ${size}`);
  if (!sameBytes(r, root))
    return failed(`the path leads to root ${hexOf(r)}, the signed checkpoint says ${hexOf(root)}`);
  return passed;
};

/** RFC 9162 section 2.1.4.2: is the tree (`to`, `toRoot`) an append-only extension of (`from`, `fromRoot`)? */
export const checkConsistency = async (
  from: number,
  to: number,
  fromRoot: Uint8Array,
  toRoot: Uint8Array,
  proof: readonly string[],
): Promise<Check> => {
  const hashes = hashesOf(proof);
  if (typeof hashes === 'string') return failed(hashes);
  if (from > to) return failed(`tree size ${from} is larger than ${to}`);
  if (from === to) return hashes.length === 0 && sameBytes(fromRoot, toRoot) ? passed : failed('same size, other root');
  if (from === 0) return failed('a tree of size 0 proves nothing');
  if (hashes.length === 0) return failed('the proof is empty');
  const path = isPowerOfTwo(from) ? [fromRoot, ...hashes] : hashes;
  let fn = from - 1;
  let sn = to - 1;
  while (lsb(fn)) [fn, sn] = [half(fn), half(sn)];
  const [seed, ...rest] = path as [Uint8Array, ...Uint8Array[]];
  let fr = seed;
  let sr = seed;
  for (const c of rest) {
    if (sn === 0) return failed(`the proof has ${hashes.length} hashes, too many for ${from} -> ${to}`);
    if (lsb(fn) || fn === sn) {
      [fr, sr] = [await nodeHash(c, fr), await nodeHash(c, sr)];
      while (!lsb(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      sr = await nodeHash(sr, c);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  if (sn !== 0) return failed(`the proof has ${hashes.length} hashes, too few for ${from} -> ${to}`);
  if (!sameBytes(fr, fromRoot))
    return failed(`the proof gives ${hexOf(fr)} for tree ${from}, signed: ${hexOf(fromRoot)}`);
  if (!sameBytes(sr, toRoot)) return failed(`the proof gives ${hexOf(sr)} for tree ${to}, signed: ${hexOf(toRoot)}`);
  return passed;
};

export type SignedTreeHead = { origin: string; treeSize: number; root: Uint8Array };

const SIGNATURE_LINE = /^\u2014 (\S+) ([A-Za-z0-9+/]+=*)$/;

const pemBody = (pem: string): Uint8Array =>
  bytesOfBase64(pem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replace(/\s+/g, ''));

/**
 * Checks a C2SP signed-note checkpoint against `name`'s Ed25519 key (SPKI PEM): the key id is the
 * first 4 bytes of SHA-256(name || "\n" || 0x01 || raw key), the signature covers the three body lines.
 */
export const checkCheckpoint = async (
  text: string,
  name: string,
  publicKeyPem: string,
): Promise<(SignedTreeHead & { ok: true }) | Mismatch> => {
  const separator = text.indexOf('\n\n');
  const [origin, size, root, ...extra] = text.slice(0, Math.max(separator, 0)).split('\n');
  if (separator < 0 || !origin || !size || !root || extra.length > 0 || !/^\d{1,15}$/.test(size)) {
    return { ok: false, mismatch: 'not a checkpoint: expected origin, tree size, root hash and a blank line' };
  }
  const key = await crypto.subtle.importKey('spki', concat(pemBody(publicKeyPem)), 'Ed25519', true, ['verify']);
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', key));
  const keyId = (await sha256(new TextEncoder().encode(`${name}\n`), Uint8Array.of(1), raw)).subarray(0, 4);
  const body = new TextEncoder().encode(`${origin}\n${size}\n${root}\n`);
  const lines = text
    .slice(separator + 2)
    .split('\n')
    .map((line) => SIGNATURE_LINE.exec(line))
    .filter((match) => match?.[1] === name);
  for (const match of lines) {
    const blob = bytesOfBase64(match?.[2] ?? '');
    if (!sameBytes(blob.subarray(0, 4), keyId)) continue;
    if (await crypto.subtle.verify('Ed25519', key, concat(blob.subarray(4)), body)) {
      return { ok: true, origin, treeSize: Number(size), root: bytesOfBase64(root) };
    }
    return { ok: false, mismatch: `the Ed25519 signature by ${name} (key ${hexOf(keyId)}) does not match the text` };
  }
  return { ok: false, mismatch: `no signature line by ${name} with key id ${hexOf(keyId)}` };
};
