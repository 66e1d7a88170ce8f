/**
 * graphql 16 ships its ES modules as `.mjs` files without an `exports` map. Importing only the
 * language modules (parse, print) keeps the rest of graphql (type system, validation,
 * execution: most of its load time) out of the library's import; these declarations give those
 * paths the types of their `.d.ts` twins.
 */
declare module 'graphql/language/parser.mjs' {
  export { parse } from 'graphql/language/parser.js';
}
declare module 'graphql/language/printer.mjs' {
  export { print } from 'graphql/language/printer.js';
}
