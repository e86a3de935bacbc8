import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { SupportDeskModule } from '@supportdesk/nestjs';
import { AuthController } from './auth/auth.controller';
import { JwtStrategy } from './auth/jwt.strategy';
import { MeController } from './me.controller';
import { type User, UsersService } from './users.service';

/** What the app reads from its configuration (the environment, or a `.env` file). */
export interface Settings {
  /** Without it the SDK stops the boot with a SupportDeskConfigError that says what to set. */
  SUPPORTDESK_API_KEY?: string;
  SUPPORTDESK_BASE_URL?: string;
  JWT_SECRET: string;
}

const logger = new Logger('SupportDesk');

@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest dynamic module is a class with a static factory
export class AppModule {
  /** The app, configured from the environment; `settings` given here win over it. */
  static register(settings: Partial<Settings> = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, load: [() => settings] }),
        PassportModule,
        JwtModule.registerAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService<Settings>) => ({
            secret: config.getOrThrow('JWT_SECRET'),
            signOptions: { expiresIn: '1h' },
          }),
        }),
        SupportDeskModule.forRootAsync({
          imports: [ConfigModule],
          inject: [ConfigService],
          useFactory: (config: ConfigService<Settings>) => ({
            apiKey: config.get('SUPPORTDESK_API_KEY'),
            baseUrl: config.get('SUPPORTDESK_BASE_URL'),
            mapUser: (user: User) => ({
              externalId: user.id,
              email: user.email,
              name: user.name,
              metadata: { plan: user.plan },
            }),
            onSync: (event) =>
              logger.log(`${event.wasCreated ? 'Created' : 'Updated'} customer ${event.externalId}`),
            onError: (error) => logger.warn(`Sync failed: ${error.message}`),
          }),
        }),
      ],
      controllers: [AuthController, MeController],
      providers: [UsersService, JwtStrategy],
    };
  }
}
