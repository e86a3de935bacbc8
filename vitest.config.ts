import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (file: string) => fileURLToPath(new URL(`./packages/${file}`, import.meta.url));
const packages = ['core', 'emulator', 'express', 'fastify', 'koa', 'nestjs', 'redis'];

export default defineConfig({
  // Nest's decorators and DI-by-type need the legacy decorator transform with metadata.
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  resolve: {
    // Tests run against the sources; the packed tarballs are tested by test/consumers.
    alias: [
      { find: '@supportdesk/core/internal', replacement: source('core/src/internal.ts') },
      ...packages.map((name) => ({
        find: new RegExp(`^@supportdesk/${name}$`),
        replacement: source(`${name}/src/index.ts`),
      })),
    ],
  },
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'test/e2e/**/*.test.ts',
      'test/snippets/**/*.test.ts',
    ],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
