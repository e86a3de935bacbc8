import type { CustomerBook } from '../customers.js';
import { matchRoute } from '../route.js';
import type { Customer, Snapshot } from '../types.js';
import { fieldProblem, isPlainObject } from '../validate.js';

/** A restorable customer with its raw key. */
export interface SnapshotRecord {
  apiKey: string;
  customer: Customer;
}

/** The outcome of reading a snapshot: every record, or the first problem, naming where it is. */
export type SnapshotRead = { ok: true; records: SnapshotRecord[] } | { ok: false; message: string };

const TOP_FIELDS = new Set(['version', 'exportedAt', 'customers']);
const CUSTOMER_FIELDS = ['email', 'name', 'phone', 'avatarUrl', 'metadata'] as const;
const RECORD_FIELDS = new Set<string>([
  'apiKey',
  'id',
  'externalId',
  'createdAt',
  'updatedAt',
  ...CUSTOMER_FIELDS,
]);

/** Every customer of every key, raw keys included. */
export function snapshotOf(book: CustomerBook): Snapshot {
  const customers = [...book.entries()].map(({ apiKey, customer }) => ({
    apiKey,
    ...structuredClone(customer),
  }));
  return { version: 1, exportedAt: new Date().toISOString(), customers };
}

function isTimestamp(value: unknown): value is string {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value));
}

function externalIdProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'must be a non-empty string';
  const route = matchRoute(`/api/v1/customers/${encodeURIComponent(value)}`);
  return route.kind === 'bad-external-id' ? route.message.replace(/^externalId /, '') : undefined;
}

function recordProblem(item: unknown): string | undefined {
  if (!isPlainObject(item)) return 'must be an object';
  for (const field of Object.keys(item))
    if (!RECORD_FIELDS.has(field)) return `.${field} is not a customer field`;
  if (typeof item.apiKey !== 'string' || item.apiKey.length === 0)
    return '.apiKey must be a non-empty string';
  if (typeof item.id !== 'string' || item.id.length === 0) return '.id must be a non-empty string';
  const idProblem = externalIdProblem(item.externalId);
  if (idProblem) return `.externalId ${idProblem}`;
  for (const field of ['email', 'name'] as const)
    if (item[field] === undefined) return `.${field} is required`;
  for (const field of CUSTOMER_FIELDS) {
    const problem = item[field] === undefined ? undefined : fieldProblem(field, item[field]);
    if (problem) return `.${problem}`;
  }
  for (const field of ['createdAt', 'updatedAt'] as const)
    if (!isTimestamp(item[field])) return `.${field} must be an ISO 8601 time`;
  return undefined;
}

function toCustomer(item: Record<string, unknown>): Customer {
  const customer: Customer = {
    id: item.id as string,
    externalId: item.externalId as string,
    email: item.email as string,
    name: item.name as string,
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
  };
  if (item.phone !== undefined) customer.phone = item.phone as string;
  if (item.avatarUrl !== undefined) customer.avatarUrl = item.avatarUrl as string;
  if (item.metadata !== undefined) customer.metadata = item.metadata as Customer['metadata'];
  return customer;
}

/**
 * Check a parsed snapshot as a whole before anything is replaced: fields and types as the API
 * checks them, and, per key, one customer per externalId and per email (case-insensitive).
 */
export function parseSnapshot(value: unknown): SnapshotRead {
  if (!isPlainObject(value)) return { ok: false, message: 'a snapshot must be a JSON object' };
  for (const field of Object.keys(value))
    if (!TOP_FIELDS.has(field)) return { ok: false, message: `${field} is not a snapshot field` };
  if (value.version !== undefined && value.version !== 1)
    return { ok: false, message: `version must be 1 (got ${JSON.stringify(value.version)})` };
  if (!Array.isArray(value.customers)) return { ok: false, message: 'customers must be an array' };
  const records: SnapshotRecord[] = [];
  const seen = new Set<string>();
  for (const [index, item] of value.customers.entries()) {
    const problem = recordProblem(item);
    if (problem) return { ok: false, message: `customers[${index}]${problem}` };
    const record = item as Record<string, unknown>;
    const apiKey = record.apiKey as string;
    // JSON keeps the pair apart whatever characters either holds.
    const idKey = JSON.stringify(['id', apiKey, record.externalId]);
    const emailKey = JSON.stringify(['email', apiKey, (record.email as string).toLowerCase()]);
    if (seen.has(idKey))
      return { ok: false, message: `customers[${index}].externalId appears twice for the same apiKey` };
    if (seen.has(emailKey))
      return { ok: false, message: `customers[${index}].email appears twice for the same apiKey` };
    seen.add(idKey).add(emailKey);
    records.push({ apiKey, customer: toCustomer(record) });
  }
  return { ok: true, records };
}
