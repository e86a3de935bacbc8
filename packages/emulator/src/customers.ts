import { randomBytes } from 'node:crypto';
import type { Customer } from './types.js';
import type { CustomerFields } from './validate.js';

/** The outcome of an upsert: the stored customer, or the business error to answer. */
export type UpsertOutcome =
  | { ok: true; customer: Customer; wasCreated: boolean }
  | { ok: false; status: 400 | 409; code: 'VALIDATION_ERROR' | 'CUSTOMER_EMAIL_EXISTS'; message: string };

/** One API key's customers: SupportDesk scopes customers and email uniqueness to the app. */
class Tenant {
  readonly byExternalId = new Map<string, Customer>();
  /** Lowercased email → externalId of its owner. */
  readonly owners = new Map<string, string>();
}

function newId(): string {
  return `cl${randomBytes(12).toString('hex')}`;
}

/** Customers of every API key, each key isolated from the others. */
export class CustomerBook {
  readonly #tenants = new Map<string, Tenant>();

  /** Create or update one customer of `apiKey`, enforcing required fields and unique emails. */
  upsert(apiKey: string, externalId: string, fields: CustomerFields): UpsertOutcome {
    const tenant = this.#tenants.get(apiKey) ?? new Tenant();
    const existing = tenant.byExternalId.get(externalId);
    if (!existing) {
      const missing = (['email', 'name'] as const).filter((field) => fields[field] === undefined);
      if (missing.length > 0) {
        return {
          ok: false,
          status: 400,
          code: 'VALIDATION_ERROR',
          message: `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} required to create a customer`,
        };
      }
    }
    if (fields.email !== undefined) {
      const owner = tenant.owners.get(fields.email.toLowerCase());
      if (owner !== undefined && owner !== externalId) {
        return {
          ok: false,
          status: 409,
          code: 'CUSTOMER_EMAIL_EXISTS',
          message: 'Another customer already has this email',
        };
      }
    }
    const now = new Date().toISOString();
    const phone = fields.phone ?? existing?.phone;
    const avatarUrl = fields.avatarUrl ?? existing?.avatarUrl;
    // Copied so that a recorded request body and the stored customer never share an object.
    const metadata = fields.metadata ? structuredClone(fields.metadata) : existing?.metadata;
    const customer: Customer = {
      id: existing?.id ?? newId(),
      externalId,
      email: fields.email ?? existing?.email ?? '',
      name: fields.name ?? existing?.name ?? '',
      ...(phone === undefined ? {} : { phone }),
      ...(avatarUrl === undefined ? {} : { avatarUrl }),
      ...(metadata === undefined ? {} : { metadata }),
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    if (existing && existing.email !== customer.email) tenant.owners.delete(existing.email.toLowerCase());
    tenant.owners.set(customer.email.toLowerCase(), externalId);
    tenant.byExternalId.set(externalId, customer);
    this.#tenants.set(apiKey, tenant);
    return { ok: true, customer: structuredClone(customer), wasCreated: !existing };
  }

  /** Copies of the customers of `apiKey`, in creation order. */
  list(apiKey: string): Customer[] {
    const tenant = this.#tenants.get(apiKey);
    return tenant ? [...tenant.byExternalId.values()].map((customer) => structuredClone(customer)) : [];
  }

  /** Every customer with its key, key by key in creation order. The stored objects: serialize, never keep. */
  *entries(): Generator<{ apiKey: string; customer: Readonly<Customer> }> {
    for (const [apiKey, tenant] of this.#tenants)
      for (const customer of tenant.byExternalId.values()) yield { apiKey, customer };
  }

  /**
   * Replace every customer by `records`, which must already be valid: ids unique per key, emails
   * unique per key (as the snapshot parser checks). Each record is copied.
   */
  restore(records: ReadonlyArray<{ apiKey: string; customer: Customer }>): void {
    this.#tenants.clear();
    for (const { apiKey, customer } of records) {
      const tenant = this.#tenants.get(apiKey) ?? new Tenant();
      tenant.byExternalId.set(customer.externalId, structuredClone(customer));
      tenant.owners.set(customer.email.toLowerCase(), customer.externalId);
      this.#tenants.set(apiKey, tenant);
    }
  }

  /** Forget every customer of every key. */
  clear(): void {
    this.#tenants.clear();
  }
}
