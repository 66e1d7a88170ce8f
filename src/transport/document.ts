/** Turning what the user passes to `subscribe`/`execute` into the request AppSync receives. */
import type { DocumentNode, OperationDefinitionNode } from 'graphql';
// graphql's language modules alone: its package root also loads the type system, validation
// and execution, which tripled the library's import time in Node. (Browser bundles pay ~1.4 KB
// gzip for the deep paths against a tree-shaken root; scripts/size.mjs records the decision.)
// Kinds are compared as the strings they are.
import { parse } from 'graphql/language/parser.mjs';
import { print } from 'graphql/language/printer.mjs';
import { TransportDocumentError } from '../errors.js';
import type { GraphQLRequest } from '../protocol/messages.js';

export type OperationType = 'query' | 'mutation' | 'subscription';

export interface RequestOptions {
  variableValues?: Record<string, unknown> | undefined;
  operationName?: string | undefined;
}

const printed = new WeakMap<DocumentNode, string>();

/**
 * Recently parsed strings: apps subscribe with the same few documents over and over (and the
 * Client checks a document before its transport does), so each is parsed once. Bounded: the
 * oldest entry goes first.
 */
const parsed = new Map<string, DocumentNode>();
const PARSED_MAX = 64;

function parseCached(document: string): DocumentNode {
  let ast = parsed.get(document);
  if (ast === undefined) {
    ast = parse(document, { noLocation: true });
    if (parsed.size >= PARSED_MAX) parsed.delete(parsed.keys().next().value as string);
    parsed.set(document, ast);
  }
  return ast;
}

/**
 * Builds `{query, operationName?, variables?}` and checks the operation's type.
 * @param expected the operation types this caller accepts.
 * @param hint appended to the error when the type is wrong (where to send it instead).
 */
export function toRequest(
  document: string | DocumentNode,
  options: RequestOptions,
  expected: readonly OperationType[],
  hint: string,
): { request: GraphQLRequest; operation: OperationType } {
  let ast: DocumentNode;
  let query: string;
  if (typeof document === 'string') {
    try {
      ast = parseCached(document);
    } catch (cause) {
      throw new TransportDocumentError(
        `Expected a valid GraphQL document, but it does not parse: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      );
    }
    query = document;
  } else if (typeof document === 'object' && document !== null && (document as DocumentNode).kind === 'Document') {
    ast = document;
    query = printed.get(document) ?? print(document);
    printed.set(document, query);
  } else {
    throw new TransportDocumentError(
      `Expected the document to be a string or a DocumentNode (from graphql's parse() or gql\`\`), but got ${document === null ? 'null' : typeof document}.`,
    );
  }
  const operation = selectOperation(ast, options.operationName);
  const type = operation.operation as OperationType;
  if (!expected.includes(type)) {
    const name = operation.name ? ` "${operation.name.value}"` : '';
    throw new TransportDocumentError(
      `Expected a ${expected.join(' or ')} operation, but the document's operation${name} is a ${operation.operation}. ${hint}`,
    );
  }
  const request: GraphQLRequest = { query };
  if (options.operationName !== undefined) request.operationName = options.operationName;
  if (options.variableValues !== undefined) {
    if (typeof options.variableValues !== 'object' || options.variableValues === null || Array.isArray(options.variableValues)) {
      throw new TransportDocumentError(
        `Expected variableValues to be an object of variable names to values, but got ${Array.isArray(options.variableValues) ? 'an array' : typeof options.variableValues}.`,
      );
    }
    request.variables = options.variableValues;
  }
  return { request, operation: type };
}

function selectOperation(ast: DocumentNode, operationName: string | undefined): OperationDefinitionNode {
  const operations = ast.definitions.filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  if (operations.length === 0) {
    throw new TransportDocumentError('Expected the document to contain an operation (query, mutation or subscription), but it has none.');
  }
  if (operationName !== undefined) {
    const found = operations.find((o) => o.name?.value === operationName);
    if (found === undefined) {
      const names = operations.map((o) => (o.name ? `"${o.name.value}"` : '(anonymous)')).join(', ');
      throw new TransportDocumentError(
        `Expected an operation named "${operationName}" in the document, but it has ${names}. Fix operationName.`,
      );
    }
    return found;
  }
  if (operations.length > 1) {
    throw new TransportDocumentError(
      `The document has ${operations.length} operations; pass operationName to say which one to run.`,
    );
  }
  return operations[0] as OperationDefinitionNode;
}
