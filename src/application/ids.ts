import { randomFillSync } from 'node:crypto';
import { ulid } from 'ulid';

// ulid draws each of its 16 random characters with its own getRandomValues call, which measured at
// a third of a request's CPU. Drawing them from a pooled CSPRNG buffer keeps the ids as unpredictable
// and costs one system call per thousand ids.
const pool = Buffer.alloc(4096);
let offset = pool.length;

const pooledRandom = (): number => {
  if (offset + 4 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const value = pool.readUInt32LE(offset);
  offset += 4;
  return value / 0x1_0000_0000;
};

/** A new ULID: sortable by creation time, 80 random bits. */
export const newId = (): string => ulid(undefined, pooledRandom);
