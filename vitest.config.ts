import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

export default defineConfig({
  // Nest's decorators and DI-by-type need the legacy decorator transform with metadata.
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: true } },
  resolve: {
    // Tests run against the sources; the packed tarballs are tested by test/consumers.
    alias: {
      '@supportdesk/core': pkg('core'),
      '@supportdesk/emulator': pkg('emulator'),
      '@supportdesk/express': pkg('express'),
      '@supportdesk/fastify': pkg('fastify'),
      '@supportdesk/koa': pkg('koa'),
      '@supportdesk/nestjs': pkg('nestjs'),
      '@supportdesk/redis': pkg('redis'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'test/e2e/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
