/**
 * One Events handler run as AppSync Events runs it (docs: "Writing event handlers"): a function
 * `onPublish(ctx)` / `onSubscribe(ctx)`; an object `{ request, response }` with its data source in
 * between (`ctx.stash` carried, `runtime.earlyReturn` skipping the data source and the response);
 * or a DIRECT Lambda integration, called with the context as its event. The outcome is plain data;
 * what it means for a publish or a subscribe (which events, which error frame) is the engine's.
 */
import type { EventsHandlerVerdict } from '../events-handlers.js';
import { DataSourceEngineError, DataSourceRequestError, type DataSourceRunner } from '../datasources/types.js';
import { evaluationFailure, isFailedEvaluation, type EvaluationOutcome, type Sandbox } from './sandbox.js';

export type EventHandlerName = 'onPublish' | 'onSubscribe';

export type EventHandlerPlan =
  | { kind: 'function'; name: EventHandlerName; sandbox: Sandbox }
  | { kind: 'integration'; name: EventHandlerName; sandbox: Sandbox; dataSource: DataSourceRunner }
  | { kind: 'direct'; name: EventHandlerName; resource: string; dataSource: DataSourceRunner };

/** What the handler answered: its value, or the error that fails the whole operation. */
export type EventHandlerOutcome = EventsHandlerVerdict;

/**
 * Runs the handler with `ctx` (`info`, `identity`, `request`, `events`…); never throws for what
 * the code or the data source does.
 */
export async function runEventHandler(plan: EventHandlerPlan, ctx: Record<string, unknown>, authType: string, timeoutMs: number): Promise<EventHandlerOutcome> {
  if (plan.kind === 'direct') return direct(plan, ctx);
  const resource = plan.sandbox.resource;
  let stash: unknown = ctx.stash ?? {};
  const evaluate = (handler: string, extra: Record<string, unknown>): EvaluationOutcome =>
    plan.sandbox.evaluate({ handler, ctx: { ...ctx, stash, ...extra }, authType, typeName: '', fieldName: '' });
  const settle = (outcome: EvaluationOutcome, handler: string): EventHandlerOutcome | { early: boolean; value: unknown } => {
    if (isFailedEvaluation(outcome)) return { ok: false, errorType: 'Code', message: evaluationFailure(outcome, handler, resource, timeoutMs), deliberate: false };
    if (outcome.status === 'error') return { ok: false, errorType: outcome.error.errorType, message: outcome.error.message, deliberate: true };
    stash = outcome.stash;
    return { early: outcome.status === 'early', value: outcome.value };
  };
  if (plan.kind === 'function') {
    const settled = settle(evaluate(plan.name, {}), plan.name);
    return 'ok' in settled ? settled : { ok: true, value: settled.value };
  }
  const requested = settle(evaluate(`${plan.name}.request`, {}), `${plan.name}.request`);
  if ('ok' in requested) return requested;
  if (requested.early) return { ok: true, value: requested.value };
  let answer;
  try {
    answer = await plan.dataSource.invoke(requested.value, { resource });
  } catch (error) {
    if (error instanceof DataSourceRequestError || error instanceof DataSourceEngineError) return { ok: false, errorType: error.errorType, message: error.message, deliberate: false };
    throw error;
  }
  const responded = settle(evaluate(`${plan.name}.response`, { result: answer.result ?? null, error: answer.error ?? null }), `${plan.name}.response`);
  return 'ok' in responded ? responded : { ok: true, value: responded.value };
}

/**
 * DIRECT: the Lambda gets the context as its event and answers `{ events?, error? }` for a publish
 * or `{ error } | null` for a subscribe ("Direct Lambda integration" in AWS's docs).
 */
async function direct(plan: Extract<EventHandlerPlan, { kind: 'direct' }>, ctx: Record<string, unknown>): Promise<EventHandlerOutcome> {
  let answer;
  try {
    answer = await plan.dataSource.invoke({ operation: 'Invoke', payload: { ...ctx, result: null, prev: null, error: null, outErrors: [] } }, { resource: plan.resource });
  } catch (error) {
    if (error instanceof DataSourceRequestError || error instanceof DataSourceEngineError) return { ok: false, errorType: error.errorType, message: error.message, deliberate: false };
    throw error;
  }
  if (answer.error !== undefined) return { ok: false, errorType: answer.error.type, message: answer.error.message, deliberate: false };
  const result = answer.result as { events?: unknown; error?: unknown } | null | undefined;
  if (plan.name === 'onSubscribe') {
    if (result === null || result === undefined || result.error === undefined || result.error === null) return { ok: true, value: null };
    return { ok: false, errorType: 'Unauthorized', message: String(result.error), deliberate: true };
  }
  // AppSync logs a top-level `error` but does not return it to the publisher; the events still go.
  return { ok: true, value: result?.events ?? null };
}
