import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Patch,
  Req,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { SkipCustomerSync, SupportDeskService } from '@supportdesk/nestjs';
import { type User, UsersService } from './users.service';

interface AuthenticatedRequest {
  user: User;
}

@Controller('me')
@UseGuards(AuthGuard('jwt'))
export class MeController {
  constructor(
    private readonly users: UsersService,
    private readonly supportDesk: SupportDeskService,
  ) {}

  /** The module's guard syncs `request.user` once the response is done: nothing to do here. */
  @Get()
  me(@Req() request: AuthenticatedRequest): User {
    return request.user;
  }

  /**
   * `request.user` still holds the name from before the change, so the automatic sync is
   * skipped and the updated record is synced by hand.
   */
  @Patch()
  @SkipCustomerSync()
  rename(@Req() request: AuthenticatedRequest, @Body() body: { name?: unknown }): User {
    const name = typeof body?.name === 'string' ? body.name.trim() : '';
    if (name === '') throw new BadRequestException('name must be a non-empty string');
    const updated = this.users.rename(request.user.id, name);
    if (!updated) throw new UnauthorizedException();
    void this.supportDesk.identify(updated);
    return updated;
  }
}
