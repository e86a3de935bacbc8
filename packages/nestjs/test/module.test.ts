import { type DynamicModule, Inject, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import {
  SupportDeskConfigError,
  SupportDeskModule,
  type SupportDeskModuleOptions,
  type SupportDeskOptionsFactory,
  SupportDeskService,
} from '../src/index.js';
import { API_KEY, ada, platforms, signedInAs, useNestApp } from './app.js';

const SETTINGS = 'TEST_SETTINGS';

interface Settings {
  baseUrl: string;
}

/** Stands in for ConfigModule: a module whose exported provider holds the upstream settings. */
@Module({})
class SettingsModule {
  static with(settings: Settings): DynamicModule {
    return {
      module: SettingsModule,
      providers: [{ provide: SETTINGS, useValue: settings }, OptionsFromSettings],
      exports: [SETTINGS, OptionsFromSettings],
    };
  }
}

@Injectable()
class OptionsFromSettings implements SupportDeskOptionsFactory {
  constructor(@Inject(SETTINGS) private readonly settings: Settings) {}

  createSupportDeskOptions(): SupportDeskModuleOptions {
    return { apiKey: API_KEY, baseUrl: this.settings.baseUrl };
  }
}

/** A module that uses the service without importing SupportDeskModule itself. */
@Injectable()
class Consumer {
  constructor(@Inject(SupportDeskService) readonly supportDesk: SupportDeskService) {}
}

@Module({ providers: [Consumer] })
class FeatureModule {}

describe('SupportDeskModule', () => {
  const asyncVariants: Array<[string, (settings: Settings) => DynamicModule]> = [
    [
      'useFactory with inject and imports',
      (settings) =>
        SupportDeskModule.forRootAsync({
          imports: [SettingsModule.with(settings)],
          inject: [SETTINGS],
          useFactory: (injected: Settings) => ({ apiKey: API_KEY, baseUrl: injected.baseUrl }),
        }),
    ],
    [
      'an async useFactory',
      (settings) =>
        SupportDeskModule.forRootAsync({
          useFactory: async () => ({ apiKey: API_KEY, baseUrl: settings.baseUrl }),
        }),
    ],
    [
      'useClass',
      (settings) =>
        SupportDeskModule.forRootAsync({
          imports: [SettingsModule.with(settings)],
          useClass: OptionsFromSettings,
        }),
    ],
    [
      'useExisting',
      (settings) =>
        SupportDeskModule.forRootAsync({
          imports: [SettingsModule.with(settings)],
          useExisting: OptionsFromSettings,
        }),
    ],
  ];

  describe.each(platforms)('on %s', (platform) => {
    const nest = useNestApp(platform);

    it.each(asyncVariants)(
      'syncs request users when configured by forRootAsync with %s',
      async (_name, build) => {
        const app = await nest.create({ imports: [build({ baseUrl: nest.emulator.baseUrl })] });
        await request(app.getHttpServer()).get('/me').set(signedInAs(ada)).expect(200);
        await app.get(SupportDeskService).flush();
        expect(nest.emulator.customers(API_KEY).map((customer) => customer.externalId)).toEqual([ada.id]);
      },
    );
  });

  it.each([
    ['forRoot', () => SupportDeskModule.forRoot({ enabled: false })],
    ['forRootAsync', () => SupportDeskModule.forRootAsync({ useFactory: () => ({ enabled: false }) })],
  ])('lets any module inject SupportDeskService by default (%s)', async (_name, build) => {
    const moduleRef = await Test.createTestingModule({ imports: [build(), FeatureModule] }).compile();
    expect(moduleRef.get(Consumer).supportDesk).toBeInstanceOf(SupportDeskService);
    await moduleRef.close();
  });

  it.each([
    ['forRoot', () => SupportDeskModule.forRoot({ enabled: false, isGlobal: false })],
    [
      'forRootAsync',
      () => SupportDeskModule.forRootAsync({ isGlobal: false, useFactory: () => ({ enabled: false }) }),
    ],
  ])('keeps SupportDeskService to the importing module with isGlobal: false (%s)', async (_name, build) => {
    const compiling = Test.createTestingModule({ imports: [build(), FeatureModule] }).compile();
    await expect(compiling).rejects.toThrow(/can't resolve dependencies of the Consumer/);
  });

  it('fails the boot with SupportDeskConfigError on a bad option', async () => {
    const compiling = Test.createTestingModule({
      imports: [SupportDeskModule.forRoot({ apiKey: API_KEY, concurrency: 0 })],
    }).compile();
    await expect(compiling).rejects.toThrow(SupportDeskConfigError);
  });

  it('boots without an API key outside production, disabled, so an app’s e2e tests run', async () => {
    vi.stubEnv('SUPPORTDESK_API_KEY', undefined);
    vi.stubEnv('NODE_ENV', 'test');
    const warnings: string[] = [];
    const logger = {
      debug() {},
      info() {},
      warn: (_: unknown, message: string) => warnings.push(message),
      error() {},
    };
    try {
      const moduleRef = await Test.createTestingModule({
        imports: [SupportDeskModule.forRoot({ logger })],
      }).compile();
      await expect(moduleRef.get(SupportDeskService).identify(ada)).resolves.toEqual({ status: 'ignored' });
      expect(warnings).toEqual([expect.stringMatching(/^SupportDeskModule: no SupportDesk API key/)]);
      await moduleRef.close();
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('fails the boot naming SupportDeskModule without an API key in production', async () => {
    vi.stubEnv('SUPPORTDESK_API_KEY', undefined);
    vi.stubEnv('NODE_ENV', 'production');
    try {
      const compiling = Test.createTestingModule({ imports: [SupportDeskModule.forRoot({})] }).compile();
      await expect(compiling).rejects.toThrow(/^SupportDeskModule: missing SupportDesk API key/);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('needs no API key when disabled', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [SupportDeskModule.forRoot({ enabled: false })],
    }).compile();
    await expect(moduleRef.get(SupportDeskService).identify(ada)).resolves.toMatchObject({
      status: 'ignored',
    });
    await moduleRef.close();
  });
});
