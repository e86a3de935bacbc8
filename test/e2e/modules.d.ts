// Express 4, Fastify 4 and Koa 2 are installed under aliases so every major runs in one suite; the types
// of the current majors describe the API these apps use.
declare module 'express4' {
  import express = require('express');
  export = express;
}

declare module 'koa2' {
  export { default } from 'koa';
}

declare module 'fastify4' {
  import fastify = require('fastify');
  export = fastify;
}
