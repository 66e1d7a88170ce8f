/** What a data source answers one request with, as a resolver's response handler sees it. */
export interface DataSourceAnswer {
  result: unknown;
  /** `ctx.error`: `type` is AppSync's (`DynamoDB:ConditionalCheckFailedException`, `Lambda:Unhandled`…). */
  error?: { type: string; message: string } | undefined;
}

/** A request object the data source cannot run: the field fails with this, as AppSync's validation does. */
export class DataSourceRequestError extends Error {
  override name = 'DataSourceRequestError' as const;
  readonly errorType = 'MappingTemplate';
}

/**
 * A request the engine behind a data source cannot run, though AppSync would (the embedded
 * DynamoDB has no transactions): the field fails with `errorType`, and the message says what to
 * run instead.
 */
export class DataSourceEngineError extends Error {
  override name = 'DataSourceEngineError' as const;
  constructor(
    message: string,
    readonly errorType: string,
  ) {
    super(message);
  }
}

export interface DataSourceRunner {
  invoke(request: unknown, meta: { resource: string }): Promise<DataSourceAnswer>;
}
