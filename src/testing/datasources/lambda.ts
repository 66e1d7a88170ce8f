/**
 * AWS_LAMBDA data sources on a local handler: `Invoke` passes the request's `payload` to the
 * handler as its event, as AppSync does for APPSYNC_JS; `BatchInvoke` passes a list (here of
 * one payload: sibling fields are not batched together yet) and takes its first answer. A throw
 * is `ctx.error` of type `Lambda:Unhandled`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { withDeadline } from '../../deadline.js';
import { MAX_TIMER_MS } from '../../options.js';
import type { LambdaModel } from '../template/model.js';
import { TemplateError } from '../template/template-error.js';
import { DataSourceRequestError, type DataSourceAnswer, type DataSourceRunner } from './types.js';

export type LambdaHandler = (event: unknown, context: object, callback?: (error: unknown, result?: unknown) => void) => unknown;

/** `file#export` from `--lambda Name=file#export`, or the template's own code. */
export async function loadHandler(fn: LambdaModel, override: string | undefined, templateFile: string): Promise<LambdaHandler> {
  let file: string;
  let exportName: string;
  if (override !== undefined) {
    const hash = override.lastIndexOf('#');
    file = hash < 0 ? override : override.slice(0, hash);
    exportName = hash < 0 ? 'handler' : override.slice(hash + 1);
  } else if (fn.code === undefined) {
    throw new TemplateError(
      `the Lambda function ${fn.functionName} has its code in S3, which the local AppSync cannot read: give a local handler with --lambda ${fn.logicalId}=<file>#<export> (or startLocalAppSync({ lambdas: { ${fn.logicalId}: '<file>#<export>' } })).`,
      { file: templateFile, resource: fn.logicalId },
    );
  } else {
    const dot = fn.handler.lastIndexOf('.');
    const base = fn.handler.slice(0, dot);
    exportName = fn.handler.slice(dot + 1);
    if (fn.code.kind === 'inline') {
      // Inline ZipFile code is CommonJS in an index.js, as Lambda's Node runtimes read it.
      const dir = mkdtempSync(join(tmpdir(), 'appsync-local-lambda-'));
      writeFileSync(join(dir, 'package.json'), '{"type":"commonjs"}');
      file = join(dir, `${base}.js`);
      writeFileSync(file, fn.code.text);
    } else {
      const { existsSync } = await import('node:fs');
      const dir = fn.code.path;
      file = ['.mjs', '.cjs', '.js'].map((ext) => join(dir, `${base}${ext}`)).find((p) => existsSync(p)) ?? join(dir, `${base}.js`);
    }
  }
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new TemplateError(`the Lambda function ${fn.functionName}'s handler ${file} cannot be loaded (${(error as Error).message}).`, { file: templateFile, resource: fn.logicalId }, { cause: error });
  }
  const handler = module[exportName] ?? (module.default as Record<string, unknown> | undefined)?.[exportName];
  if (typeof handler !== 'function') {
    throw new TemplateError(`the Lambda function ${fn.functionName}'s file ${file} exports no function ${exportName}.`, { file: templateFile, resource: fn.logicalId });
  }
  return handler as LambdaHandler;
}

/** Lambda's default `Timeout`, for a function whose template gives none. */
export const LAMBDA_DEFAULT_TIMEOUT_MS = 3_000;

export class LambdaDataSource implements DataSourceRunner {
  readonly #handler: LambdaHandler;
  readonly #functionName: string;
  readonly #timeoutMs: number | undefined;
  #invocations = 0;

  /** @param timeoutMs the function's `Timeout`: a handler still running then fails, as Lambda stops it. @default none */
  constructor(handler: LambdaHandler, functionName: string, timeoutMs?: number) {
    this.#handler = handler;
    this.#functionName = functionName;
    // Node fires a longer timer at once.
    this.#timeoutMs = timeoutMs === undefined ? undefined : Math.min(timeoutMs, MAX_TIMER_MS);
  }

  async invoke(request: unknown): Promise<DataSourceAnswer> {
    const r = (typeof request === 'object' && request !== null ? request : {}) as { operation?: unknown; payload?: unknown };
    if (r.operation !== 'Invoke' && r.operation !== 'BatchInvoke') {
      throw new DataSourceRequestError(`A Lambda request's operation must be Invoke or BatchInvoke, not ${JSON.stringify(r.operation)}.`);
    }
    const batch = r.operation === 'BatchInvoke';
    const event = batch ? [r.payload ?? null] : (r.payload ?? null);
    try {
      const ms = this.#timeoutMs;
      // Lambda's own words for a handler stopped at its Timeout (an Unhandled function error).
      const result = await withDeadline(this.#call(event), { ms: ms ?? null, timeout: () => new Error(`Task timed out after ${((ms ?? 0) / 1000).toFixed(2)} seconds`) });
      // Lambda hands back JSON: what the handler returned, serialized as its runtime does.
      let json: unknown;
      try {
        const text = JSON.stringify(result ?? null) as string | undefined;
        json = text === undefined ? null : (JSON.parse(text) as unknown);
      } catch (error) {
        // Named by class only: a getter's message may hold anything.
        return { result: null, error: { type: 'Lambda:Unhandled', message: `The Lambda function's answer is not JSON (${error instanceof Error ? error.name : typeof error}: a BigInt, a cycle or a throwing getter?); return plain data, as Lambda serializes it.` } };
      }
      return { result: batch ? (Array.isArray(json) ? (json[0] ?? null) : null) : json };
    } catch (error) {
      return { result: null, error: { type: 'Lambda:Unhandled', message: error instanceof Error ? error.message : String(error) } };
    }
  }

  #call(event: unknown): Promise<unknown> {
    this.#invocations += 1;
    const context = { functionName: this.#functionName, awsRequestId: `local-${this.#invocations}`, getRemainingTimeInMillis: () => this.#timeoutMs ?? 30_000 };
    return new Promise((resolve, reject) => {
      const done = (error: unknown, result?: unknown) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result));
      try {
        const returned = this.#handler(JSON.parse(JSON.stringify(event)) as unknown, context, done);
        if (this.#handler.length < 3 || (returned !== undefined && typeof (returned as Promise<unknown>).then === 'function')) Promise.resolve(returned).then(resolve, reject);
      } catch (error) {
        reject(error);
      }
    });
  }
}
