/**
 * The operations a GraphQL document string holds, found without a GraphQL parser.
 *
 * The client needs three facts about a document before sending it: that it is well formed
 * enough to send, which operations it defines, and each one's type and name. graphql's parser
 * answers them but weighs ~9 KB min+gzip, more than the whole browser core may (issue "Browsers
 * for real"). So this file reads the document the way graphql's lexer does (every token of the
 * spec, §2.1), checks the top-level grammar of executable definitions (§2.2: operations and
 * fragments) and that brackets match, and leaves what is inside selection sets, arguments and
 * variable definitions to the server, which answers a mistake there with a GraphQL error.
 * Pure: no sockets, no state.
 */

export type OperationType = 'query' | 'mutation' | 'subscription';

export interface ScannedOperation {
  type: OperationType;
  /** Undefined for an anonymous operation. */
  name: string | undefined;
}

type Kind = 'Name' | 'Punctuator' | 'String' | 'Number' | '<EOF>';

// Strings and numbers (spec §2.1), tested where one starts. No line terminator in a
// single-quoted string; a block string runs to the first unescaped `"""`; a number never runs
// into a name, a dot or another digit (`0x`, `1.`, `01` are errors).
const STRING = /"""(?:\\"""|(?!""")[^])*"""|"(?:[^"\\\n\r]|\\(?:["\\/bfnrt]|u[\dA-Fa-f]{4}|u\{[\dA-Fa-f]+\}))*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.])/y;
const OPERATION_TYPES: readonly string[] = ['query', 'mutation', 'subscription'];

// Character codes, compared rather than characters: this runs for every subscribe().
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isNameStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
/** Every punctuator but `...`, which is read apart. */
const PUNCTUATORS = '!$&()[]{}:=@|';
/** The closer of `{`, `(` or `[`; 0 for anything else. */
const closerOf = (c: number): number => (c === 123 ? 125 : c === 40 ? 41 : c === 91 ? 93 : 0);

/**
 * Lists the operations of `source` in document order. Throws a `SyntaxError` naming what was
 * expected, what was found and where (line and column, 1-based) when the document is not well
 * formed: an unknown character, an unterminated string, unmatched brackets, an empty selection
 * set, or a top-level definition that is neither an operation nor a fragment.
 */
export function scanOperations(source: string): ScannedOperation[] {
  // The current token: its kind, where it starts and ends, and (punctuators) its first code.
  let kind: Kind = '<EOF>';
  let start = 0;
  let pos = 0;
  let punctuator = 0;

  const text = (): string => source.slice(start, pos);
  const fail = (message: string): never => {
    const before = source.slice(0, start).split(/\r\n|[\n\r]/);
    throw new SyntaxError(`Syntax Error: ${message} (line ${before.length}, column ${(before.at(-1) as string).length + 1}).`);
  };
  const found = (): string => (kind === '<EOF>' ? kind : kind === 'Punctuator' ? `"${text()}"` : `${kind} ${JSON.stringify(text().slice(0, 40))}`);
  const expected = (what: string): never => fail(`Expected ${what}, found ${found()}`);
  const sticky = (pattern: RegExp): boolean => {
    pattern.lastIndex = pos;
    if (!pattern.test(source)) return false;
    pos = pattern.lastIndex;
    return true;
  };

  const advance = (): void => {
    let c = source.charCodeAt(pos);
    // Ignored: space, line terminators, comma, tab, BOM; `#` comments to the end of the line.
    while (c === 32 || c === 10 || c === 44 || c === 13 || c === 9 || c === 0xfeff || c === 35) {
      if (c === 35) while (pos < source.length && (c = source.charCodeAt(pos)) !== 10 && c !== 13) pos++;
      else pos++;
      c = source.charCodeAt(pos);
    }
    start = pos;
    punctuator = 0;
    if (pos >= source.length) kind = '<EOF>';
    else if (isNameStart(c)) {
      kind = 'Name';
      do c = source.charCodeAt(++pos);
      while (isNameStart(c) || isDigit(c));
    } else if (c === 34) {
      kind = 'String';
      if (!sticky(STRING)) fail('Unterminated string or invalid escape sequence');
    } else if (c === 45 || isDigit(c)) {
      kind = 'Number';
      if (!sticky(NUMBER)) fail(`Invalid number starting "${source.slice(pos, pos + 12)}"`);
    } else if (c === 46 ? source.startsWith('...', pos) : PUNCTUATORS.includes(source[pos] as string)) {
      kind = 'Punctuator';
      punctuator = c;
      pos += c === 46 ? 3 : 1;
    } else {
      fail(`Unexpected character ${JSON.stringify(source[pos])}`);
    }
  };
  const at = (char: string): boolean => punctuator === char.charCodeAt(0);
  const keyword = (word: string): boolean => kind === 'Name' && pos - start === word.length && source.startsWith(word, start);
  const name = (): string => {
    if (kind !== 'Name') expected('Name');
    const value = text();
    advance();
    return value;
  };
  /**
   * From an opening bracket to its match. What is inside is the server's to check, except that
   * a selection set and an argument list are never empty (an input object or a list may be).
   */
  const group = (): void => {
    // The closers of the open brackets, innermost last; negative for a selection set's `}`, as
    // opposed to what holds values (arguments, lists, input objects, and everything inside them).
    const open: number[] = [];
    do {
      const innermost = open.at(-1) ?? 0;
      if (kind === '<EOF>') expected(`"${String.fromCharCode(Math.abs(innermost))}"`);
      const closer = closerOf(punctuator);
      if (closer !== 0) {
        const selections = closer === 125 && innermost <= 0;
        open.push(selections ? -closer : closer);
        advance();
        // (`kind` is the new token's: TypeScript cannot see that advance() changed it.)
        const next = kind as Kind;
        if (selections && next !== 'Name' && !at('.')) expected('Name');
        if (closer === 41 && next !== 'Name' && !at('$')) expected('"$" or Name');
        continue;
      }
      if (punctuator === 41 || punctuator === 93 || punctuator === 125) {
        if (Math.abs(innermost) !== punctuator) expected(`"${String.fromCharCode(Math.abs(innermost))}"`);
        open.pop();
      }
      advance();
    } while (open.length > 0);
  };
  const selectionSet = (): void => {
    if (!at('{')) expected('"{"');
    group();
  };
  const directives = (): void => {
    while (at('@')) {
      advance();
      name();
      if (at('(')) group();
    }
  };

  const operations: ScannedOperation[] = [];
  advance();
  if (kind === '<EOF>') fail('Unexpected <EOF>: the document is empty');
  while (kind !== '<EOF>') {
    if (at('{')) {
      operations.push({ type: 'query', name: undefined });
      selectionSet();
    } else if (kind === 'Name' && OPERATION_TYPES.includes(text())) {
      const type = text() as OperationType;
      advance();
      operations.push({ type, name: kind === 'Name' ? name() : undefined });
      if (at('(')) group();
      directives();
      selectionSet();
    } else if (keyword('fragment')) {
      advance();
      name();
      if (!keyword('on')) expected('"on"');
      advance();
      name();
      directives();
      selectionSet();
    } else {
      expected('an operation (query, mutation, subscription) or a fragment');
    }
  }
  return operations;
}
