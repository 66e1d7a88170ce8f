/**
 * The document scanner (src/protocol/operations.ts), checked against graphql's own parser: on
 * every valid document both must find the same operations, and on every malformed one both must
 * refuse. Pure: no sockets.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse, type OperationDefinitionNode } from 'graphql';
import { scanOperations } from '../src/protocol/operations.js';

function graphqlOperations(source: string): { type: string; name: string | undefined }[] {
  return parse(source)
    .definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')
    .map((d) => ({ type: d.operation, name: d.name?.value }));
}

const VALID = [
  'subscription { onCreateMessage { id } }',
  '{ a }',
  'query { a }',
  '\uFEFFsubscription OnX($room: ID!, $n: Int = 3) @live { onX(room: $room, n: $n) @skip(if: false) { ...F id } }\nfragment F on X { a }',
  '# a comment { not a brace\nsubscription S { a(s: "} \\" \\\\ \\u00e9 \\u{1F600} #") { b } }',
  'subscription S { a(s: """ a block " "" \\""" { ( [ """) { b } }',
  'subscription S { a(n: -1.5e+10, m: 0, l: [1, [2], []], o: {a: {b: null}, c: []}, e: {}, v: ENUM_VALUE) { b } }',
  'query Q($f: Filter = {a: [{}]}, $l: [Int!]! = []) { a(f: $f) }',
  'mutation M { m } subscription S { s } query Q { q } { anon }',
  'fragment A on T @d { a ... on U { b } ... @include(if: true) { c } } subscription S { ...A }',
  'subscription S{a{b{c{d{e}}}}}',
  'subscription\r\nS\r\n{\r\na\r\n}',
  'subscription S { query mutation subscription fragment on }',
  ',,subscription,S,{,a,},',
];

test('on valid documents the scanner finds exactly the operations graphql parses', () => {
  for (const source of VALID) assert.deepEqual(scanOperations(source), graphqlOperations(source), source);
});

const MALFORMED: [source: string, message: RegExp][] = [
  ['', /Unexpected <EOF>: the document is empty \(line 1, column 1\)/],
  ['   # only a comment', /the document is empty/],
  ['subscription {', /Expected Name, found <EOF> \(line 1, column 15\)/],
  ['subscription { a', /Expected "}", found <EOF> \(line 1, column 17\)/],
  ['subscription { a \n ', /Expected "}", found <EOF> \(line 2, column 2\)/],
  ['subscription { a }}', /Expected an operation \(query, mutation, subscription\) or a fragment, found "}" \(line 1, column 19\)/],
  ['subscription S { a(b: 1 }', /Expected "\)", found "}"/],
  ['subscription S { }', /Expected Name, found "}"/],
  ['subscription S { a() }', /Expected "\$" or Name, found "\)"/],
  ['subscription S($x: Int) a', /Expected "{", found Name "a"/],
  ['subscription S', /Expected "{", found <EOF>/],
  ['subscription S { a; }', /Unexpected character ";" \(line 1, column 19\)/],
  ['subscription S { a(s: "unterminated) }', /Unterminated string or invalid escape sequence \(line 1, column 23\)/],
  ['subscription S { a(s: "line\nbreak") }', /Unterminated string/],
  ['subscription S { a(s: "\\x") }', /invalid escape sequence/],
  ['subscription S { a(s: """never closed) }', /Unterminated string/],
  ['subscription S { a(n: 01) }', /Invalid number starting "01\)/],
  ['subscription S { a(n: 1.) }', /Invalid number/],
  ['subscription S { a(n: 1e) }', /Invalid number/],
  ['subscription S { a(n: 0x1) }', /Invalid number/],
  ['subscription S { a .. b }', /Unexpected character "\."/],
  ['fragment F X { a }', /Expected "on", found Name "X"/],
  ['fragment F on { a }', /Expected Name, found "{"/],
  ['subscription S { a }\n\n  @', /found "@" \(line 3, column 3\)/],
  ['subscription S { a(x: [1, 2) }', /Expected "]", found "\)"/],
];

test('malformed documents: the scanner says what it expected, what it found and where; graphql refuses them too', () => {
  for (const [source, message] of MALFORMED) {
    assert.throws(() => scanOperations(source), (e: unknown) => e instanceof SyntaxError && message.test(e.message), source);
    assert.throws(() => parse(source), /Syntax Error/, `control: graphql refuses ${JSON.stringify(source)}`);
  }
});

test('inside selection sets and arguments the grammar is the server\'s to check (the scanner only matches brackets)', () => {
  // graphql refuses these; AppSync answers them with a GraphQL error frame.
  for (const source of ['subscription S { a(b: ) }', 'subscription S { a(b: 1 c) }', 'subscription S { a { ... } }']) {
    assert.throws(() => parse(source), /Syntax Error/, source);
    assert.deepEqual(scanOperations(source), [{ type: 'subscription', name: 'S' }], source);
  }
});

test('type-system definitions are refused: graphql parses them, but a request may hold only operations and fragments', () => {
  // graphql's ExecutableDefinitions rule and AppSync refuse them at validation.
  assert.throws(() => scanOperations('type Query { a: Int }'), /Expected an operation \(query, mutation, subscription\) or a fragment, found Name "type"/);
  assert.throws(() => scanOperations('"description" type Q { a: Int }'), /found String "\\"description\\""/);
});

test('mutated documents (seeded, 3000): whatever graphql parses, the scanner reads the same way; it fails only with SyntaxError', () => {
  let seed = 20261125;
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const alphabet = '{}()[]"\\#$@!:=.,\n -1e0aZ_';
  let accepted = 0;
  for (let i = 0; i < 3000; i++) {
    // One to three edits, each deleting a character or inserting one that matters to the lexer.
    let source = VALID[random(VALID.length)] as string;
    for (let edits = 1 + random(3); edits > 0; edits--) {
      const at = random(source.length + 1);
      source =
        random(2) === 0 ? source.slice(0, at) + source.slice(at + 1) : source.slice(0, at) + alphabet[random(alphabet.length)] + source.slice(at);
    }
    let expected: ReturnType<typeof graphqlOperations> | undefined;
    try {
      const definitions = parse(source).definitions;
      // Type-system definitions: refused on purpose (see above).
      if (definitions.some((d) => d.kind !== 'OperationDefinition' && d.kind !== 'FragmentDefinition')) continue;
      expected = graphqlOperations(source);
    } catch {
      expected = undefined;
    }
    try {
      const found = scanOperations(source);
      if (expected !== undefined) assert.deepEqual(found, expected, source);
    } catch (error) {
      assert.ok(error instanceof SyntaxError, `${JSON.stringify(source)}: ${String(error)}`);
      assert.equal(expected, undefined, `graphql parses ${JSON.stringify(source)} but the scanner refused it: ${String(error)}`);
    }
    if (expected !== undefined) accepted++;
  }
  assert.ok(accepted > 500, `control: enough mutations stay valid (${accepted})`);
});
