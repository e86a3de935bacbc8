/**
 * `@supportdesk/core/internal`: what the other @supportdesk packages share with core (the one
 * option-validation idiom, the one time limit). Not public API: it may change in any release.
 */
export {
  configObject,
  flag,
  func,
  integer,
  MAX_TIMER_MS,
  milliseconds,
  parseConfig,
  shaped,
  text,
} from './config.js';
export { isThenable, messageOf, withTimeout } from './util.js';
