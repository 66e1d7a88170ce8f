/** Local validation of documents against an AppSync schema, before anything is sent. */
import { parse, validate, type DocumentNode, type GraphQLError, type GraphQLSchema } from 'graphql';
import { TransportDocumentError } from '../errors.js';
import { buildAppSyncSchema } from '../schema/appsync-sdl.js';

export class DocumentValidator {
  readonly schema: GraphQLSchema;
  readonly #checked = new WeakSet<DocumentNode>();

  constructor(schema: string | GraphQLSchema) {
    this.schema = buildAppSyncSchema(schema);
  }

  /** Throws `TransportDocumentError` naming each problem with its line and column. */
  check(document: string | DocumentNode): void {
    if (typeof document !== 'string' && this.#checked.has(document)) return;
    let ast: DocumentNode;
    try {
      ast = typeof document === 'string' ? parse(document) : document;
    } catch (cause) {
      throw new TransportDocumentError(
        `Expected a valid GraphQL document, but it does not parse: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      );
    }
    const errors = validate(this.schema, ast);
    if (errors.length > 0) {
      throw new TransportDocumentError(
        `The document does not match the schema: ${errors.map(describe).join('; ')}. Fix the document, or update the schema given to Client.`,
      );
    }
    if (typeof document !== 'string') this.#checked.add(document);
  }
}

function describe(error: GraphQLError): string {
  const where = error.locations?.map((l) => `line ${l.line}, column ${l.column}`).join(' and ');
  const message = error.message.replace(/\.$/, '');
  return where ? `${message} (at ${where})` : message;
}
