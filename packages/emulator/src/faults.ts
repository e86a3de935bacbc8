import { validateHeaderName, validateHeaderValue } from 'node:http';
import type { Fault } from './types.js';

/** A fault as kept by the emulator: validated, with its remaining count. */
export interface ActiveFault {
  readonly fault: Readonly<Fault>;
  remaining: number;
}

function isNonNegativeFinite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function headersProblem(headers: unknown): string | undefined {
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers))
    return 'headers must be an object of header names to strings';
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') return `headers.${name} must be a string`;
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch {
      return `headers.${name} is not a valid HTTP header`;
    }
  }
  return undefined;
}

/** Why `fault` cannot be injected, or `undefined` when it can. */
export function faultProblem(fault: Fault): string | undefined {
  if (typeof fault !== 'object' || fault === null) return 'a fault must be an object';
  const { status, body, retryAfter, headers, latencyMs, drop, times, externalId } = fault;
  if (status !== undefined && !(Number.isInteger(status) && status >= 200 && status <= 599))
    return `status must be an integer from 200 to 599 (got ${String(status)})`;
  if (drop !== undefined && typeof drop !== 'boolean') return 'drop must be a boolean';
  if (drop && status !== undefined)
    return 'drop and status cannot be combined: a dropped request gets no answer';
  if (status === undefined && (body !== undefined || retryAfter !== undefined || headers !== undefined))
    return 'body, retryAfter and headers need a status';
  if (headers !== undefined) {
    const problem = headersProblem(headers);
    if (problem) return problem;
  }
  if (body !== undefined && typeof body !== 'string' && (typeof body !== 'object' || body === null))
    return 'body must be a string or an object';
  if (retryAfter !== undefined && typeof retryAfter !== 'string' && !isNonNegativeFinite(retryAfter))
    return 'retryAfter must be a number of seconds or a string';
  if (latencyMs !== undefined && !isNonNegativeFinite(latencyMs)) return 'latencyMs must be a number >= 0';
  if (times !== undefined && !(Number.isInteger(times) && times > 0))
    return 'times must be a positive integer';
  if (externalId !== undefined && typeof externalId !== 'string') return 'externalId must be a string';
  if (status === undefined && !drop && latencyMs === undefined)
    return 'a fault needs at least one of status, latencyMs or drop';
  return undefined;
}

/** Injected faults, first injected first matched. */
export class FaultList {
  #faults: ActiveFault[] = [];

  /** Validate `fault` and append it; throws `TypeError` when it is invalid. */
  add(fault: Fault): void {
    const problem = faultProblem(fault);
    if (problem) throw new TypeError(`Invalid fault: ${problem}`);
    // A copy, so that changing the caller's object later does not change the script.
    this.#faults.push({ fault: { ...fault }, remaining: fault.times ?? Number.POSITIVE_INFINITY });
  }

  /** Take the first fault matching `externalId`, counting it down; `undefined` when none does. */
  take(externalId: string | undefined): Readonly<Fault> | undefined {
    const index = this.#faults.findIndex(
      ({ fault }) => fault.externalId === undefined || fault.externalId === externalId,
    );
    const active = this.#faults[index];
    if (!active) return undefined;
    active.remaining -= 1;
    if (active.remaining <= 0) this.#faults.splice(index, 1);
    return active.fault;
  }

  /** The faults still active, in order, each with how many requests it still applies to (`null`: all). */
  list(): Array<Fault & { remaining: number | null }> {
    return this.#faults.map(({ fault, remaining }) => ({
      ...fault,
      remaining: Number.isFinite(remaining) ? remaining : null,
    }));
  }

  /** Remove every fault. */
  clear(): void {
    this.#faults = [];
  }
}
