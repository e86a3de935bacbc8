import { expect, it } from 'vitest';
import * as emulator from '../src/index.js';

it('exports exactly the public API, so a change to it is deliberate', () => {
  expect(Object.keys(emulator).sort()).toEqual(['startEmulator']);
});
