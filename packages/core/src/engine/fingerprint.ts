/**
 * A cheap, stable fingerprint of a mapped payload: two 32-bit hash lanes walked straight over
 * the value, without building its JSON. It runs on every identify, so it allocates nothing but
 * the short string it returns (bench/fast-path.js measures it). Objects are hashed as an
 * unordered sum of their entries, so key order never matters, at any depth; arrays keep their
 * order. Own enumerable keys are what JSON sends; `for…in` also sees inherited enumerable ones,
 * which plain payloads never have, and skipping an `Object.hasOwn` per key halves the cost.
 */

/** Circular or absurdly deep payloads are refused instead of overflowing the stack. */
const MAX_DEPTH = 32;

const TAG_STRING = 0x1b873593;
const TAG_NUMBER = 0x27d4eb2f;
const TAG_TRUE = 0x165667b1;
const TAG_FALSE = 0x5f356495;
const TAG_NULL = 0x4cf5ad43;
const TAG_OTHER = 0x61c88647;
const TAG_ARRAY = 0x7f4a7c15;
const TAG_OBJECT = 0x3c6ef372;
const TAG_KEY = 0x2545f491;

/** 64 URL-safe ASCII digits: the fingerprint is safe in any store key or Lua string. */
const DIGITS = Array.from('0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_', (digit) =>
  digit.charCodeAt(0),
);

const numberBits = new Float64Array(1);
const numberWords = new Uint32Array(numberBits.buffer);

// The two lanes of the last value hashed: module state instead of a returned pair, so hashing
// a value allocates nothing. Callers copy them to locals before hashing anything else.
let laneA = 0;
let laneB = 0;

function settle(a: number, b: number, size: number): void {
  let x = a ^ size;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  let y = b ^ Math.imul(size, 0x9e3779b1);
  y = Math.imul(y ^ (y >>> 15), 0x2c1b3c6d);
  y = Math.imul(y ^ (y >>> 12), 0x297a2d39);
  laneA = (x ^ (x >>> 16)) | 0;
  laneB = (y ^ (y >>> 15)) | 0;
}

function hashString(text: string, seedA: number, seedB: number): void {
  let a = seedA;
  let b = seedB;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995);
  }
  settle(a, b, text.length);
}

function hashNumber(value: number): void {
  // JSON sends -0 as 0 and NaN/Infinity as null; hash what would be sent.
  numberBits[0] = value === 0 ? 0 : value;
  if (!Number.isFinite(value)) {
    settle(TAG_NULL, TAG_NULL, 0);
    return;
  }
  settle(TAG_NUMBER ^ (numberWords[0] as number), TAG_NUMBER ^ (numberWords[1] as number), 8);
}

function hashArray(list: readonly unknown[], depth: number): void {
  let a = TAG_ARRAY;
  let b = ~TAG_ARRAY;
  for (let i = 0; i < list.length; i++) {
    hashValue(list[i], depth + 1);
    a = Math.imul(a ^ laneA, 0x01000193) + 0x6b43a9b5;
    b = Math.imul(b ^ laneB, 0x5bd1e995) + 0x1b873593;
  }
  settle(a, b, list.length);
}

/** Sums the entries, so `{ a, b }` and `{ b, a }` hash alike; `skip` leaves one key out. */
function hashObject(record: Record<string, unknown>, depth: number, skip: string | undefined): void {
  let sumA = 0;
  let sumB = 0;
  let size = 0;
  for (const key in record) {
    if (key === skip) continue;
    const value = record[key];
    // JSON.stringify leaves undefined keys out, so they are not part of what is sent.
    if (value === undefined) continue;
    hashValue(value, depth + 1);
    // The key is hashed from the value's lanes: the entry's hash depends on both, non-linearly.
    hashString(key, laneA ^ TAG_KEY, laneB);
    sumA = (sumA + laneA) | 0;
    sumB = (sumB + laneB) | 0;
    size++;
  }
  settle(sumA ^ TAG_OBJECT, sumB ^ ~TAG_OBJECT, size);
}

function hashValue(value: unknown, depth: number): void {
  if (depth > MAX_DEPTH)
    throw new RangeError(`the payload is nested deeper than ${MAX_DEPTH} levels, or circular`);
  switch (typeof value) {
    case 'string':
      hashString(value, TAG_STRING, ~TAG_STRING);
      return;
    case 'number':
      hashNumber(value);
      return;
    case 'boolean':
      settle(value ? TAG_TRUE : TAG_FALSE, value ? ~TAG_TRUE : ~TAG_FALSE, 1);
      return;
    case 'object':
      if (value === null) {
        settle(TAG_NULL, ~TAG_NULL, 0);
        return;
      }
      if (Array.isArray(value)) {
        hashArray(value, depth);
        return;
      }
      hashObject(value as Record<string, unknown>, depth, undefined);
      return;
    case 'undefined':
      settle(TAG_NULL, ~TAG_NULL, 0);
      return;
    default:
      // Functions, symbols and bigints never pass validation; they only need a stable hash.
      settle(TAG_OTHER, ~TAG_OTHER, 0);
      return;
  }
}

/**
 * Fingerprint of what an upsert of `mapped` would send: its fields other than `externalId`.
 * Equal payloads give equal strings; a changed field gives a different one (a 53-bit hash,
 * 9 URL-safe characters).
 *
 * @throws RangeError when the payload is circular or nested deeper than 32 levels.
 * @example
 * fingerprint({ externalId: 'u1', name: 'Ada', email: 'ada@example.com' }) ===
 *   fingerprint({ email: 'ada@example.com', name: 'Ada', externalId: 'u1' }); // true
 */
export function fingerprint(mapped: object): string {
  hashObject(mapped as Record<string, unknown>, 0, 'externalId');
  const a = laneA;
  const b = laneB;
  // 53 bits (32 of lane A, 21 of lane B) as 9 base-64 digits: Number#toString(36) would cost
  // more than the whole walk.
  return String.fromCharCode(
    DIGITS[a & 63] as number,
    DIGITS[(a >>> 6) & 63] as number,
    DIGITS[(a >>> 12) & 63] as number,
    DIGITS[(a >>> 18) & 63] as number,
    DIGITS[(a >>> 24) & 63] as number,
    DIGITS[((a >>> 30) | (b << 2)) & 63] as number,
    DIGITS[(b >>> 4) & 63] as number,
    DIGITS[(b >>> 10) & 63] as number,
    DIGITS[(b >>> 16) & 63] as number,
  );
}
