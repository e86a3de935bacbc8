import { z } from 'zod';

/** Longest externalId SupportDesk accepts. */
export const MAX_EXTERNAL_ID_LENGTH = 255;

/** A JSON value as SupportDesk stores it in `metadata`. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Free-form customer data: plan, company, anything JSON. */
export type CustomerMetadata = { [key: string]: JsonValue };

/**
 * Why `value` is not plain JSON, or `undefined` when it is. Walks the value without copying it,
 * so keys such as `__proto__` stay data and never reach a prototype.
 */
function jsonProblem(value: unknown, path: string, seen: Set<object>): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${path} must be a finite number`;
    case 'object': {
      if (value === null) return undefined;
      if (seen.has(value)) return `${path} is circular`;
      seen.add(value);
      try {
        if (Array.isArray(value)) {
          for (let i = 0; i < value.length; i++) {
            const problem = jsonProblem(value[i], `${path}[${i}]`, seen);
            if (problem) return problem;
          }
          return undefined;
        }
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) return `${path} must be a plain object`;
        for (const key of Object.keys(value)) {
          const problem = jsonProblem((value as Record<string, unknown>)[key], `${path}.${key}`, seen);
          if (problem) return problem;
        }
        return undefined;
      } finally {
        seen.delete(value);
      }
    }
    default:
      return `${path} must be JSON (got ${typeof value})`;
  }
}

const metadataSchema = z.custom<CustomerMetadata>().superRefine((value, ctx) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: 'metadata must be a plain JSON object' });
    return;
  }
  const problem = jsonProblem(value, 'metadata', new Set());
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const httpUrl = z.url({ protocol: /^https?$/, message: 'avatarUrl must be an http(s) URL' });

/**
 * The fields of an upsert. On create SupportDesk requires `email` and `name`; on update every
 * field is optional and only those sent are changed. Unknown keys are refused, so a typo
 * (`avatar` for `avatarUrl`) is an error instead of silently lost data.
 */
export const customerInputSchema = z.strictObject({
  email: z.email({ message: 'email must be a valid email address' }).max(320).optional(),
  name: z.string().trim().min(1, 'name must not be empty').max(255).optional(),
  phone: z.string().trim().min(1, 'phone must not be empty').max(64).optional(),
  avatarUrl: httpUrl.max(2048).optional(),
  metadata: metadataSchema.optional(),
});

/** What an upsert may send: every field optional, `email` and `name` required when the customer is new. */
export interface CustomerInput {
  /** Customer email, unique per app. Required on create. */
  email?: string | undefined;
  /** Display name. Required on create. */
  name?: string | undefined;
  /** Phone number, free text. */
  phone?: string | undefined;
  /** An http(s) URL of the customer's avatar. */
  avatarUrl?: string | undefined;
  /** Free-form JSON object (plan, companyName, …). */
  metadata?: CustomerMetadata | undefined;
}

/** A customer as SupportDesk returns it. Fields this SDK does not know are kept. */
export const customerSchema = z.looseObject({
  id: z.string(),
  externalId: z.string(),
  email: z.string(),
  name: z.string(),
  phone: z.string().nullish(),
  avatarUrl: z.string().nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** A customer record in SupportDesk. */
export type Customer = z.infer<typeof customerSchema>;

/** The `data` of a successful upsert response. */
export const upsertResultSchema = z.object({
  customer: customerSchema,
  wasCreated: z.boolean(),
});

/** What `upsertCustomer` resolves to. */
export interface UpsertResult {
  /** The customer as stored after the upsert. */
  customer: Customer;
  /** `true` when this call created the customer, `false` when it updated one. */
  wasCreated: boolean;
}

/** The success envelope `{ success: true, data, timestamp }`. */
export const upsertResponseSchema = z.object({
  success: z.literal(true),
  data: upsertResultSchema,
  timestamp: z.string().optional(),
});

/**
 * Why `externalId` cannot be sent as one path segment, or `undefined` when it can.
 * `.` and `..` are refused because URL parsing resolves them away even percent-encoded.
 */
export function externalIdProblem(externalId: unknown): string | undefined {
  if (typeof externalId !== 'string') return `externalId must be a string (got ${typeof externalId})`;
  if (externalId.length === 0) return 'externalId must not be empty';
  if (externalId.length > MAX_EXTERNAL_ID_LENGTH)
    return `externalId must be at most ${MAX_EXTERNAL_ID_LENGTH} characters (got ${externalId.length})`;
  if (externalId === '.' || externalId === '..') return `externalId must not be "${externalId}"`;
  return undefined;
}
