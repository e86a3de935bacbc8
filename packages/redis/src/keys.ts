/**
 * Lone UTF-16 surrogates cannot be encoded as UTF-8, so the client would turn every one of them
 * into U+FFFD and two different ids would share a key. Such ids get their own, escaped form.
 */
const LONE_SURROGATE = /\p{Surrogate}/u;
const ESCAPED = /[%\p{Surrogate}]/gu;

function escapeCodeUnit(char: string): string {
  return `%${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * The part of every key shared by one store: `${prefix}:${namespace}`. The namespace is
 * percent-encoded so it never holds `:` or `|`, which keeps the split between namespace and
 * externalId unambiguous whatever the externalId holds.
 */
export function keyBase(prefix: string, namespace: string): string {
  return `${prefix}:${encodeURIComponent(namespace)}`;
}

/**
 * The Redis key of one user: `${base}:${externalId}`, the externalId kept verbatim so keys stay
 * readable in `redis-cli`. An id that is not well-formed UTF-16 goes under `${base}|u:` with `%`
 * and lone surrogates escaped; no well-formed id can produce that key, since an encoded namespace
 * never holds `|`.
 */
export function userKey(base: string, externalId: string): string {
  if (!LONE_SURROGATE.test(externalId)) return `${base}:${externalId}`;
  return `${base}|u:${externalId.replace(ESCAPED, escapeCodeUnit)}`;
}

/**
 * The key of the holds shared by every instance of one namespace: `${base}|hold`. No user key
 * can be it: user keys continue the base with `:` or `|u:`.
 */
export function holdKey(base: string): string {
  return `${base}|hold`;
}
