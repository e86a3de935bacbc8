// Koa 2 is installed under the alias `koa2`; @types/koa describes both majors' shared API.
declare module 'koa2' {
  export { default } from 'koa';
}

// @koa/router 13 ships no types; the tests use only this much of it.
declare module '@koa/router' {
  import type { Middleware } from 'koa';

  export default class Router {
    get(path: string, ...middleware: Middleware[]): this;
    routes(): Middleware;
  }
}
