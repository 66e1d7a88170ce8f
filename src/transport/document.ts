/** Turning what the user passes to `subscribe`/`execute` into the request AppSync receives. */
import type { DocumentNode } from 'graphql';
import { TransportDocumentError } from '../errors.js';
import { serializeRequest } from '../protocol/messages.js';
import { scanOperations, type OperationType, type ScannedOperation } from '../protocol/operations.js';

export type { OperationType } from '../protocol/operations.js';

export interface RequestOptions {
  variableValues?: Record<string, unknown> | undefined;
  operationName?: string | undefined;
}

export interface PreparedRequest {
  /**
   * The exact JSON AppSync receives (`payload.data` on the socket, the HTTP body). A promise only
   * for a DocumentNode seen for the first time, while graphql's printer loads.
   */
  body: string | Promise<string>;
  operation: OperationType;
}

const printed = new WeakMap<DocumentNode, string>();

/**
 * A DocumentNode's text. graphql's printer (~4 KB min+gzip) loads on the first DocumentNode:
 * apps that send strings never pay for it, and apps with DocumentNodes already bundle graphql.
 */
async function print(document: DocumentNode): Promise<string> {
  let text = printed.get(document);
  if (text === undefined) {
    try {
      // A failed load (a lazy chunk a browser could not fetch) is reported the same way.
      const { print: printer } = await import('graphql/language/printer.mjs');
      text = printer(document);
    } catch (cause) {
      throw new TransportDocumentError(
        `Expected a DocumentNode that graphql's print() accepts, but it failed: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      );
    }
    printed.set(document, text);
  }
  return text;
}

/**
 * Checks the document and its operation's type, and builds the request body.
 * A string is checked by `scanOperations` (tokens, brackets, top-level grammar); what is inside
 * its selection sets is checked by the server. Throws `TransportDocumentError` synchronously.
 * @param expected the operation types this caller accepts.
 * @param hint appended to the error when the type is wrong (where to send it instead).
 */
export function toRequest(
  document: string | DocumentNode,
  options: RequestOptions,
  expected: readonly OperationType[],
  hint: string,
): PreparedRequest {
  let operations: ScannedOperation[];
  if (typeof document === 'string') {
    try {
      operations = scanOperations(document);
    } catch (cause) {
      throw new TransportDocumentError(`Expected a valid GraphQL document, but it does not parse: ${(cause as Error).message}`, { cause });
    }
  } else if (typeof document === 'object' && document !== null && (document as DocumentNode).kind === 'Document') {
    operations = [];
    for (const d of document.definitions) {
      if (d.kind === 'OperationDefinition') operations.push({ type: d.operation as OperationType, name: d.name?.value });
    }
  } else {
    throw new TransportDocumentError(
      `Expected the document to be a string or a DocumentNode (from graphql's parse() or gql\`\`), but got ${document === null ? 'null' : typeof document}.`,
    );
  }
  const operation = selectOperation(operations, options.operationName);
  if (!expected.includes(operation.type)) {
    const name = operation.name ? ` "${operation.name}"` : '';
    throw new TransportDocumentError(
      `Expected a ${expected.join(' or ')} operation, but the document's operation${name} is a ${operation.type}. ${hint}`,
    );
  }
  const variables = options.variableValues;
  if (variables !== undefined && (typeof variables !== 'object' || variables === null || Array.isArray(variables))) {
    throw new TransportDocumentError(
      `Expected variableValues to be an object of variable names to values, but got ${Array.isArray(variables) ? 'an array' : typeof variables}.`,
    );
  }
  const request = (query: string): string => serializeRequest({ query, operationName: options.operationName, variables });
  const text = typeof document === 'string' ? document : printed.get(document);
  if (text !== undefined) return { body: request(text), operation: operation.type };
  const body = print(document as DocumentNode).then(request);
  // Callers that only check the document drop `body`: its failure must not be unhandled.
  body.catch(() => {});
  return { body, operation: operation.type };
}

/** The type of the operation `document` runs (operationName picks one of several). Throws `TransportDocumentError`. */
export function operationTypeOf(document: string | DocumentNode, operationName?: string): OperationType {
  return toRequest(document, { operationName }, ['query', 'mutation', 'subscription'], '').operation;
}

function selectOperation(operations: ScannedOperation[], operationName: string | undefined): ScannedOperation {
  if (operations.length === 0) {
    throw new TransportDocumentError('Expected the document to contain an operation (query, mutation or subscription), but it has none.');
  }
  if (operationName !== undefined) {
    const found = operations.find((o) => o.name === operationName);
    if (found === undefined) {
      const names = operations.map((o) => (o.name ? `"${o.name}"` : '(anonymous)')).join(', ');
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
  return operations[0] as ScannedOperation;
}
