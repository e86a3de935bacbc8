import type { JsonValue } from './types.js';

/** The fields an upsert may carry, after validation. Absent fields stay absent. */
export interface CustomerFields {
  email?: string;
  name?: string;
  phone?: string;
  avatarUrl?: string;
  metadata?: { [key: string]: JsonValue };
}

/** The outcome of validating a request body: the fields, or why they are refused. */
export type Validation = { ok: true; fields: CustomerFields } | { ok: false; message: string };

// Deliberately loose, like most APIs: one @, no spaces, a dot in the domain.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'http:' || protocol === 'https:';
}

function stringProblem(field: string, value: unknown, maxLength: number): string | undefined {
  if (typeof value !== 'string') return `${field} must be a string`;
  if (value.trim().length === 0) return `${field} must not be empty`;
  if (value.length > maxLength) return `${field} must be at most ${maxLength} characters`;
  return undefined;
}

export function fieldProblem(field: string, value: unknown): string | undefined {
  switch (field) {
    case 'email':
      return (
        stringProblem(field, value, 320) ??
        (EMAIL.test(value as string) ? undefined : 'email must be a valid email address')
      );
    case 'name':
      return stringProblem(field, value, 255);
    case 'phone':
      return stringProblem(field, value, 64);
    case 'avatarUrl':
      return (
        stringProblem(field, value, 2048) ??
        (isHttpUrl(value as string) ? undefined : 'avatarUrl must be an http(s) URL')
      );
    case 'metadata':
      return isPlainObject(value) ? undefined : 'metadata must be a JSON object';
    default:
      return `${field} is not a customer field`;
  }
}

/**
 * Check a parsed JSON body. The body comes from `JSON.parse`, so keys such as `__proto__` are
 * own data properties; they are read, never copied onto another object by assignment.
 */
export function validateCustomerBody(body: unknown): Validation {
  if (!isPlainObject(body)) return { ok: false, message: 'Request body must be a JSON object' };
  for (const field of Object.keys(body)) {
    const problem = fieldProblem(field, body[field]);
    if (problem) return { ok: false, message: problem };
  }
  const fields: CustomerFields = {};
  if (Object.hasOwn(body, 'email')) fields.email = body.email as string;
  if (Object.hasOwn(body, 'name')) fields.name = body.name as string;
  if (Object.hasOwn(body, 'phone')) fields.phone = body.phone as string;
  if (Object.hasOwn(body, 'avatarUrl')) fields.avatarUrl = body.avatarUrl as string;
  if (Object.hasOwn(body, 'metadata')) fields.metadata = body.metadata as CustomerFields['metadata'];
  return { ok: true, fields };
}
