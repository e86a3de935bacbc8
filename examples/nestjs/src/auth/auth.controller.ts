import { Body, Controller, HttpCode, Post, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { UsersService } from '../users.service';

interface LoginBody {
  email?: unknown;
  password?: unknown;
}

@Controller('auth')
export class AuthController {
  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
  ) {}

  /** Trades demo credentials for a JWT. No user is synced here: the next guarded request does it. */
  @Post('login')
  @HttpCode(200)
  async login(@Body() body: LoginBody): Promise<{ accessToken: string }> {
    const { email, password } = body ?? {};
    const user =
      typeof email === 'string' && typeof password === 'string'
        ? this.users.authenticate(email, password)
        : undefined;
    if (!user) throw new UnauthorizedException('Unknown email or wrong password');
    return { accessToken: await this.jwt.signAsync({ sub: user.id }) };
  }
}
