/**
 * Local validation of documents against an AppSync schema, before anything is sent. graphql's
 * validation and the schema builder load on first use, so importing the library stays light for
 * everyone who does not validate.
 */
import type { DocumentNode, GraphQLError, GraphQLSchema } from 'graphql';
import { TransportConfigurationError, TransportDocumentError } from '../errors.js';

type Loaded = { schema: GraphQLSchema; validate: typeof import('graphql').validate; parse: typeof import('graphql').parse };

export class DocumentValidator {
  readonly #source: string | GraphQLSchema;
  #loaded: Promise<Loaded> | undefined;
  readonly #checked = new WeakSet<DocumentNode>();

  constructor(schema: string | GraphQLSchema) {
    this.#source = schema;
  }

  /** The built schema; rejects with `TransportConfigurationError` when the SDL is invalid. */
  schema(): Promise<GraphQLSchema> {
    return this.#load().then((l) => l.schema);
  }

  #load(): Promise<Loaded> {
    // The builder gets the error class from here: see sdl-builder.ts for why it imports no errors.
    this.#loaded ??= Promise.all([import('graphql'), import('../schema/sdl-builder.js')]).then(([graphql, sdl]) => ({
      schema: sdl.buildSchema(this.#source, TransportConfigurationError),
      validate: graphql.validate,
      parse: graphql.parse,
    }));
    return this.#loaded;
  }

  /** Rejects with `TransportDocumentError` naming each problem with its line and column. */
  async check(document: string | DocumentNode): Promise<void> {
    if (typeof document !== 'string' && this.#checked.has(document)) return;
    const { schema, validate, parse } = await this.#load();
    let ast: DocumentNode;
    try {
      ast = typeof document === 'string' ? parse(document) : document;
    } catch (cause) {
      throw new TransportDocumentError(
        `Expected a valid GraphQL document, but it does not parse: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      );
    }
    const errors = validate(schema, ast);
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
