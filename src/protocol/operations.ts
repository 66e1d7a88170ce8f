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

// One token per match (spec §2.1), after any ignored characters (white space, line terminators,
// commas, BOM, comments); the group that matched says its kind: 1 a name, 2 a block or
// single-quoted string (no line terminator in the latter), 3 a number (never running into a
// name, a dot or a digit: `0x`, `1.`, `01` are errors), 4 a punctuator; none: the end. No match
// at all: an unterminated string, a bad number or a character GraphQL does not allow.
const TOKEN =
  /(?:[\t\n\r ,\uFEFF]|#[^\n\r]*)*(?:([_A-Za-z]\w*)|("""(?:\\"""|(?!""")[^])*"""|"(?:[^"\\\n\r]|\\(?:["\\/bfnrt]|u[\dA-Fa-f]{4}|u\{[\dA-Fa-f]+\}))*")|(-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.]))|(\.\.\.|[!$&()[\]{}:=@|])|$)/y;
const IGNORED = /(?:[\t\n\r ,\uFEFF]|#[^\n\r]*)*/y;
const KINDS: readonly Kind[] = ['<EOF>', 'Name', 'String', 'Number', 'Punctuator'];
const CLOSER: Record<string, string | undefined> = { '{': '}', '(': ')', '[': ']' };
const OPERATION_TYPES: readonly string[] = ['query', 'mutation', 'subscription'];

/**
 * Lists the operations of `source` in document order. Throws a `SyntaxError` naming what was
 * expected, what was found and where (line and column, 1-based) when the document is not well
 * formed: an unknown character, an unterminated string, unmatched brackets, an empty selection
 * set, or a top-level definition that is neither an operation nor a fragment.
 */
export function scanOperations(source: string): ScannedOperation[] {
  let pos = 0;
  let start = 0;
  let kind: Kind = '<EOF>';
  let text = '';

  const fail = (message: string): never => {
    const before = source.slice(0, start).split(/\r\n|[\n\r]/);
    throw new SyntaxError(`Syntax Error: ${message} (line ${before.length}, column ${(before.at(-1) as string).length + 1}).`);
  };
  const found = (): string => (kind === '<EOF>' ? kind : kind === 'Punctuator' ? `"${text}"` : `${kind} ${JSON.stringify(text.slice(0, 40))}`);
  const expected = (what: string): never => fail(`Expected ${what}, found ${found()}`);
  const advance = (): void => {
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(source);
    if (m === null) {
      IGNORED.lastIndex = pos;
      IGNORED.exec(source);
      start = IGNORED.lastIndex;
      const c = source[start] as string;
      if (c === '"') fail('Unterminated string or invalid escape sequence');
      if (c === '-' || (c >= '0' && c <= '9')) fail(`Invalid number starting "${source.slice(start, start + 12)}"`);
      fail(`Unexpected character ${JSON.stringify(c)}`);
    }
    const match = m as RegExpExecArray;
    let group = 4;
    while (group > 0 && match[group] === undefined) group--;
    kind = KINDS[group] as Kind;
    text = group > 0 ? (match[group] as string) : '';
    pos = TOKEN.lastIndex;
    start = pos - text.length;
  };
  const at = (punctuator: string): boolean => kind === 'Punctuator' && text === punctuator;
  const keyword = (word: string): boolean => kind === 'Name' && text === word;
  const name = (): string => {
    if (kind !== 'Name') expected('Name');
    const value = text;
    advance();
    return value;
  };
  /**
   * From an opening bracket to its match. What is inside is the server's to check, except that
   * a selection set and an argument list are never empty (an input object or a list may be).
   */
  const group = (): void => {
    // Each open bracket: its closer, and whether what it holds are values (arguments, lists,
    // input objects) rather than selections.
    const open: { closer: string; values: boolean }[] = [];
    do {
      const innermost = open.at(-1);
      if (kind === '<EOF>') expected(`"${innermost?.closer}"`);
      const closer = kind === 'Punctuator' ? CLOSER[text] : undefined;
      if (closer !== undefined) {
        const values = closer !== '}' || innermost?.values === true;
        open.push({ closer, values });
        advance();
        if (closer === '}' && !values && kind !== 'Name' && !at('...')) expected('Name');
        if (closer === ')' && kind !== 'Name' && !at('$')) expected('"$" or Name');
        continue;
      }
      if (kind === 'Punctuator' && ')]}'.includes(text)) {
        if (innermost?.closer !== text) expected(`"${innermost?.closer}"`);
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
    } else if (kind === 'Name' && OPERATION_TYPES.includes(text)) {
      const type = text as OperationType;
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
