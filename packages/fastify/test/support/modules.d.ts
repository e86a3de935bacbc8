// Fastify 4 and @fastify/jwt 8 (its plugin for Fastify 4) are installed under aliases so both
// majors run in one suite. Their own types would describe a second, separate `fastify` module; the
// tests use only the API the two majors share, which Fastify 5's types describe.
declare module 'fastify4' {
  import fastify = require('fastify');
  export = fastify;
}

declare module 'fastify-jwt8' {
  import fastifyJwt = require('@fastify/jwt');
  export = fastifyJwt;
}
