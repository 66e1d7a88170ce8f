/**
 * A field resolved as AppSync runs APPSYNC_JS: a UNIT resolver's request → data source →
 * response, or a PIPELINE's request (before) → each function's request → data source → response
 * (`ctx.prev.result` carried along, `ctx.stash` shared) → response (after), with
 * `runtime.earlyReturn`. Errors become what AppSync returns: `util.error` fails the field with its
 * type and data, `util.appendError` adds errors beside the value, a throw is a `Code` error, a
 * time limit hit a `Code` error naming the limit.
 */
import type { DataSourceAnswer, DataSourceRunner } from '../datasources/types.js';
import { DataSourceEngineError, DataSourceRequestError } from '../datasources/types.js';
import { evaluationFailure, isFailedEvaluation, type AppendedError, type EvaluationOutcome, type ResolverExtensions, type Sandbox } from './sandbox.js';

/** A field error as the executor reports it (errorType, data, errorInfo). */
export class ResolverError extends Error {
  override name = 'ResolverError' as const;
  constructor(
    message: string,
    readonly errorType: string | null,
    readonly data: unknown = null,
    readonly errorInfo: unknown = null,
  ) {
    super(message);
  }
}

export interface Step {
  sandbox: Sandbox;
  dataSource: DataSourceRunner | undefined;
}

export interface ResolverPlan {
  /** `Mutation.createTodo`: names the resolver in errors and logs. */
  field: string;
  kind: 'UNIT' | 'PIPELINE';
  /** The resolver's own code (UNIT: with its data source; PIPELINE: before/after). */
  resolver: Step;
  functions: Step[];
}

export interface ResolveInput {
  typeName: string;
  fieldName: string;
  authType: string;
  ctx: {
    arguments: Record<string, unknown>;
    identity: unknown;
    source: unknown;
    info: Record<string, unknown>;
    request: { headers: Record<string, string>; domainName: string | null };
    env: Record<string, string>;
  };
}

export interface Resolved {
  value: unknown;
  /** `util.appendError` calls, reported beside the value. */
  errors: AppendedError[];
  /** What `extensions.setSubscriptionFilter` set last (resolvers on Subscription fields). */
  subscriptionFilter?: unknown;
  /** What `extensions.setSubscriptionInvalidationFilter` set last (resolvers on Subscription fields). */
  invalidationFilter?: unknown;
  /** The distinct `extensions.invalidateSubscriptions` arguments of all its handlers (resolvers on Mutation fields). */
  invalidations?: unknown[];
}

export async function runResolver(plan: ResolverPlan, input: ResolveInput, timeoutMs: number): Promise<Resolved> {
  const appended: AppendedError[] = [];
  let stash: Record<string, unknown> = {};
  const extensions: ResolverExtensions = {};
  const base = { ...input.ctx, stash, prev: { result: null }, result: null, error: null };
  const evaluate = (step: Step, handler: 'request' | 'response', extra: Record<string, unknown>): Extract<EvaluationOutcome, { status: 'ok' | 'early' }> => {
    const outcome = step.sandbox.evaluate({ handler, ctx: { ...base, stash, ...extra }, authType: input.authType, typeName: input.typeName, fieldName: input.fieldName });
    if (isFailedEvaluation(outcome)) {
      if (outcome.status === 'thrown') appended.push(...outcome.errors);
      throw new ResolverError(evaluationFailure(outcome, handler, step.sandbox.resource, timeoutMs), 'Code');
    }
    appended.push(...outcome.errors);
    stash = outcome.stash ?? stash;
    if (outcome.status !== 'error') {
      for (const key of ['subscriptionFilter', 'invalidationFilter'] as const) if (outcome[key] !== undefined) extensions[key] = outcome[key];
      // Each handler's calls add to the resolver's: a pipeline's functions may each invalidate.
      if (outcome.invalidations !== undefined) extensions.invalidations = [...(extensions.invalidations ?? []), ...outcome.invalidations];
    }
    if (outcome.status === 'error') throw new ResolverError(outcome.error.message, outcome.error.errorType, outcome.error.data, outcome.error.errorInfo);
    return outcome;
  };
  const unit = async (step: Step, prev: unknown): Promise<{ value: unknown; early?: { skipTo: string } }> => {
    const requested = evaluate(step, 'request', { prev: { result: prev } });
    if (requested.status === 'early') return { value: requested.value, early: { skipTo: (requested as { skipTo?: string }).skipTo ?? 'END' } };
    const answer = await call(step.dataSource, requested.value);
    const responded = evaluate(step, 'response', { prev: { result: prev }, result: answer.result, error: answer.error ?? null });
    return responded.status === 'early' ? { value: responded.value, early: { skipTo: (responded as { skipTo?: string }).skipTo ?? 'END' } } : { value: responded.value };
  };
  if (plan.kind === 'UNIT') {
    const { value } = await unit(plan.resolver, null);
    return { value, errors: appended, ...extensions };
  }
  const before = evaluate(plan.resolver, 'request', {});
  if (before.status === 'early') return { value: before.value, errors: appended, ...extensions };
  let prev: unknown = before.value;
  for (const fn of plan.functions) {
    const { value, early } = await unit(fn, prev);
    prev = value;
    if (early?.skipTo === 'END') break;
  }
  const after = evaluate(plan.resolver, 'response', { prev: { result: prev } });
  return { value: after.value, errors: appended, ...extensions };
}

async function call(dataSource: DataSourceRunner | undefined, request: unknown): Promise<DataSourceAnswer> {
  if (dataSource === undefined) return { result: null };
  try {
    return await dataSource.invoke(request, { resource: '' });
  } catch (error) {
    if (error instanceof DataSourceRequestError || error instanceof DataSourceEngineError) throw new ResolverError(error.message, error.errorType);
    throw error;
  }
}
