/**
 * One resolver's (or function's) code in its own `node:vm` context: no Node globals, no
 * `eval`/`Function` from strings, promise jobs run inside the evaluation, and each evaluation
 * bounded by a CPU time limit. Only JSON strings cross between the server and the code (see
 * runtime/README.md), so the code cannot reach the server's objects.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Script, createContext, type Context } from 'node:vm';
import { truncate } from '../../errors.js';
import { TemplateError } from '../template/template-error.js';
import type { CompiledCode } from './compile.js';
import { buildDynamodbModule } from './runtime/dynamodb-module.js';
import { buildDynamodbUtil } from './runtime/dynamodb-util.js';
import { buildEntry } from './runtime/entry.js';
import { buildTransform } from './runtime/transform.js';
import { buildUtil, type RuntimeHost } from './runtime/util.js';
import { MAX_INVALIDATIONS_PER_REQUEST } from './limits.js';

/** What one call of `request` or `response` answered. */
export type EvaluationOutcome =
  | ({ status: 'ok'; value: unknown; stash: Record<string, unknown>; errors: AppendedError[] } & ResolverExtensions)
  | ({ status: 'early'; value: unknown; stash: Record<string, unknown>; errors: AppendedError[] } & ResolverExtensions)
  | { status: 'error'; error: AppendedError; stash: Record<string, unknown>; errors: AppendedError[] }
  | { status: 'thrown'; name: string; message: string; errors: AppendedError[] }
  | { status: 'missing' }
  | { status: 'timeout' };

/** What a handler set through `extensions`, copied: each filter the last call's, every distinct invalidation. */
export interface ResolverExtensions {
  subscriptionFilter?: unknown;
  invalidationFilter?: unknown;
  /** The distinct `extensions.invalidateSubscriptions` arguments, in order. */
  invalidations?: unknown[];
}

export interface AppendedError {
  message: string;
  errorType: string | null;
  data: unknown;
  errorInfo: unknown;
}

export interface EvaluationInput {
  /** `request`, `response`, or an Events handler: `onPublish`, `onSubscribe.request`… */
  handler: string;
  ctx: Record<string, unknown>;
  authType: string;
  typeName: string;
  fieldName: string;
}

export interface SandboxOptions {
  /** CPU time one evaluation may take, in ms; past it the evaluation ends as a timeout. */
  timeoutMs: number;
  /** Where `console.*` lines go (already prefixed by level). */
  log: (level: string, text: string) => void;
  now: () => number;
}

// The realm's runtime, assembled from the builders' source text (runtime/README.md).
const BOOTSTRAP = `(() => {
  const host = globalThis.__host;
  delete globalThis.__host;
  const state = { errors: [], authType: 'API_KEY', typeName: '', fieldName: '', subscriptionFilter: undefined, invalidationFilter: undefined, invalidations: undefined, maxInvalidations: ${MAX_INVALIDATIONS_PER_REQUEST} };
  const made = (${buildUtil.toString()})(host, state, (ni) => (${buildDynamodbUtil.toString()})(ni), (ni, toDynamoDB, fail) => (${buildTransform.toString()})(toDynamoDB, ni, fail));
  const { util, runtime, extensions, console, notImplemented, fail } = made;
  const ddb = (${buildDynamodbModule.toString()})(util.dynamodb.toMapValues, util.dynamodb.toDynamoDB, util.transform.toDynamoDBConditionExpression, util.transform.toDynamoDBFilterExpression, notImplemented, fail);
  const modules = { '@aws-appsync/utils': { util, runtime, extensions }, '@aws-appsync/utils/dynamodb': ddb };
  globalThis.util = util;
  globalThis.runtime = runtime;
  globalThis.extensions = extensions;
  globalThis.console = console;
  let exported = {};
  globalThis.__require = (name) => modules[name];
  globalThis.__register = (module) => { exported = module.exports; delete globalThis.__register; delete globalThis.__require; };
  globalThis.__run = (${buildEntry.toString()})(() => exported, state);
})();`;

const bootstrapScript = new Script(BOOTSTRAP, { filename: 'appsync-js-runtime.js' });
const callScript = new Script('__run(__input)', { filename: 'appsync-js-call.js' });
const loadScript = new Script(
  '(() => { const fn = __loadTarget; delete globalThis.__loadTarget; const module = { exports: {} }; fn(module.exports, __require, module); __register(module); })()',
  { filename: 'appsync-js-load.js' },
);

export class Sandbox {
  readonly #context: Context;
  readonly #options: SandboxOptions;
  readonly #code: CompiledCode;

  constructor(code: CompiledCode, options: SandboxOptions) {
    this.#code = code;
    this.#options = options;
    const host: RuntimeHost = {
      uuid: () => randomUUID(),
      now: () => options.now(),
      randomByte: () => randomBytes(1)[0] ?? 0,
      log: (level, text) => options.log(String(level), String(text)),
      base64Encode: (text) => Buffer.from(String(text), 'utf8').toString('base64'),
      base64Decode: (text) => (/^[A-Za-z0-9+/]*={0,2}$/.test(String(text)) ? Buffer.from(String(text), 'base64').toString('utf8') : null),
    };
    this.#context = createContext({ __host: host }, { codeGeneration: { strings: false, wasm: false }, microtaskMode: 'afterEvaluate', name: code.resource });
    bootstrapScript.runInContext(this.#context);
    const module = new Script(`(function (exports, require, module) {\n${code.body}\n})`, { filename: code.source.file, lineOffset: code.source.firstLine - 2 });
    try {
      this.#context.__loadTarget = module.runInContext(this.#context, { timeout: options.timeoutMs });
      // Top-level code runs here once, as at deploy: bounded like an evaluation.
      loadScript.runInContext(this.#context, { timeout: options.timeoutMs });
    } catch (error) {
      throw new TemplateError(`the code fails when it loads (${(error as Error).message ?? String(error)}).`, { resource: code.resource, file: code.source.file });
    }
  }

  /** Names of the functions the code exports. */
  exports(): string[] {
    return JSON.parse(this.#call({ handler: '__exports', ctx: {}, authType: '', typeName: '', fieldName: '' })) as string[];
  }

  /** Calls `request` or `response` with `ctx`; never throws for what the code does. */
  evaluate(input: EvaluationInput): EvaluationOutcome {
    try {
      return JSON.parse(this.#call(input)) as EvaluationOutcome;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return { status: 'timeout' };
      throw error;
    }
  }

  #call(input: { handler: string } & Omit<EvaluationInput, 'handler'>): string {
    this.#context.__input = JSON.stringify(input);
    try {
      return String(callScript.runInContext(this.#context, { timeout: this.#options.timeoutMs }));
    } finally {
      delete this.#context.__input;
    }
  }

  get resource(): string {
    return this.#code.resource;
  }
}

/** Longest thrown message quoted in a field's or a publish's error: code may throw anything. */
const MAX_THROWN_MESSAGE = 1_000;

/** An evaluation that did not complete: the code ran too long, lacked the handler, or threw. */
export type FailedEvaluation = Extract<EvaluationOutcome, { status: 'timeout' | 'missing' | 'thrown' }>;

export function isFailedEvaluation(outcome: EvaluationOutcome): outcome is FailedEvaluation {
  return outcome.status === 'timeout' || outcome.status === 'missing' || outcome.status === 'thrown';
}

/** Why it failed, as AppSync words it (errorType `Code`); shared by resolvers and Events handlers. */
export function evaluationFailure(outcome: FailedEvaluation, handler: string, resource: string, timeoutMs: number): string {
  switch (outcome.status) {
    case 'timeout':
      return `The ${handler} handler of ${resource} ran longer than ${timeoutMs} ms (the local AppSync's CPU time limit per evaluation) and was stopped.`;
    case 'missing':
      return `${resource} exports no ${handler} function.`;
    case 'thrown':
      return truncate(`${outcome.name}: ${outcome.message}`, MAX_THROWN_MESSAGE);
  }
}
