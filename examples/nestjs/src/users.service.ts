import { Injectable } from '@nestjs/common';

/** A user of the demo app, as its database would hold it. */
export interface User {
  id: string;
  email: string;
  name: string;
  plan: 'free' | 'premium';
}

interface StoredUser extends User {
  password: string;
}

/** An in-memory user table with two demo accounts. Passwords in clear text: a demo, not a pattern. */
@Injectable()
export class UsersService {
  private readonly users = new Map<string, StoredUser>([
    [
      'user_1',
      { id: 'user_1', email: 'ada@example.com', name: 'Ada Lovelace', plan: 'premium', password: 'ada' },
    ],
    [
      'user_2',
      { id: 'user_2', email: 'alan@example.com', name: 'Alan Turing', plan: 'free', password: 'alan' },
    ],
  ]);

  /** The user with these credentials, or `undefined`. */
  authenticate(email: string, password: string): User | undefined {
    for (const user of this.users.values()) {
      if (user.email === email && user.password === password) return withoutPassword(user);
    }
    return undefined;
  }

  findById(id: string): User | undefined {
    const user = this.users.get(id);
    return user && withoutPassword(user);
  }

  rename(id: string, name: string): User | undefined {
    const user = this.users.get(id);
    if (!user) return undefined;
    user.name = name;
    return withoutPassword(user);
  }
}

// A copy each time, as a database query would return: the handlers never share one object.
function withoutPassword({ password: _password, ...user }: StoredUser): User {
  return user;
}
