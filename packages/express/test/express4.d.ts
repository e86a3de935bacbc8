// Express 4 is installed under an alias so both majors run in one test suite; its API is the
// one @types/express describes closely enough for these tests.
declare module 'express4' {
  import express = require('express');
  export = express;
}
