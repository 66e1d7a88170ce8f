/**
 * A template's Events API made runnable: each channel namespace's code compiled into a sandbox,
 * its `onPublish`/`onSubscribe` planned (a function, `{ request, response }` with its
 * integration's data source, or DIRECT Lambda) and the context AppSync gives them built
 * ("AWS AppSync Event API context reference"). The Events engine calls it through `EventsHandlers`.
 */
import type { LintTarget } from '../appsync-js/deploy-lint.js';
import { runEventHandler, type EventHandlerName, type EventHandlerPlan } from '../appsync-js/run-event-handler.js';
import type { Sandbox } from '../appsync-js/sandbox.js';
import { truncate } from '../../errors.js';
import type { DataSourceRunner } from '../datasources/types.js';
import type { EventsHandlerCall, EventsHandlerVerdict, EventsHandlers } from '../events-handlers.js';
import type { LocalEventsNamespace } from '../events-engine.js';
import { identityOf } from './identity.js';
import type { AppModel, ChannelNamespaceModel, CodeSource, EventsApiModel, HandlerConfigModel } from './model.js';
import { TemplateError } from './template-error.js';

interface NamespacePlans {
  onPublish?: EventHandlerPlan;
  onSubscribe?: EventHandlerPlan;
}

/** The handlers served: one object, its plans replaced in place by `replace` (a reload). */
export class TemplateEventsHandlers implements EventsHandlers {
  #plans: Map<string, NamespacePlans>;
  readonly #timeoutMs: number;

  constructor(plans: Map<string, NamespacePlans>, timeoutMs: number) {
    this.#plans = plans;
    this.#timeoutMs = timeoutMs;
  }

  has(namespace: string, operation: 'PUBLISH' | 'SUBSCRIBE'): boolean {
    return this.#plan(namespace, operation) !== undefined;
  }

  /** Never throws: what fails outside the code (a data source's engine) is an `InternalFailure`. */
  async run(call: EventsHandlerCall): Promise<EventsHandlerVerdict> {
    const plan = this.#plan(call.namespace, call.operation);
    if (plan === undefined) return { ok: true, value: call.operation === 'PUBLISH' ? call.events : null };
    try {
      const outcome = await runEventHandler(plan, contextOf(call), call.authMode, this.#timeoutMs);
      // util.unauthorized() names a GraphQL field; say instead which handler refused.
      if (!outcome.ok && outcome.deliberate && outcome.errorType === 'Unauthorized' && plan.kind !== 'direct') {
        return { ...outcome, message: `Not Authorized: the ${plan.name} handler of namespace ${call.namespace} refused ${call.channel} (util.unauthorized()).` };
      }
      return outcome;
    } catch (error) {
      return { ok: false, errorType: 'InternalFailure', message: `The ${plan.name} handler of namespace ${call.namespace} failed outside its code: ${truncate(error instanceof Error ? error.message : String(error))}`, deliberate: false };
    }
  }

  /** Serves `next`'s plans from now on. */
  replace(next: TemplateEventsHandlers): void {
    this.#plans = next.#plans;
  }

  #plan(namespace: string, operation: 'PUBLISH' | 'SUBSCRIBE'): EventHandlerPlan | undefined {
    const plans = this.#plans.get(namespace);
    return operation === 'PUBLISH' ? plans?.onPublish : plans?.onSubscribe;
  }
}

/** `ctx` of an Events handler: no `arguments` or `source`, `events` only on publish. */
function contextOf(call: EventsHandlerCall): Record<string, unknown> {
  const segments = call.channel.slice(1).split('/');
  return {
    // Events name a Lambda authorizer's context handlerContext (GraphQL: resolverContext).
    identity: call.authMode === 'AWS_LAMBDA' ? { handlerContext: call.caller?.resolverContext ?? {} } : identityOf(call.authMode, call.headers, call.caller),
    request: { headers: call.headers, domainName: null },
    info: { channel: { path: call.channel, segments }, channelNamespace: { name: call.namespace }, operation: call.operation },
    stash: {},
    ...(call.operation === 'PUBLISH' ? { events: call.events } : {}),
  };
}

/** The namespaces as the engine serves them: names and auth modes (the API's defaults filled in). */
export function eventsNamespaces(api: EventsApiModel): LocalEventsNamespace[] {
  return api.namespaces.map((ns) => ({ name: ns.name, publishAuthModes: ns.publishAuthModes ?? api.defaultPublishAuthModes, subscribeAuthModes: ns.subscribeAuthModes ?? api.defaultSubscribeAuthModes }));
}

/** Each namespace's code, for the deploy check. */
export function eventsLintTargets(model: AppModel): LintTarget[] {
  return (model.events?.namespaces ?? []).flatMap((ns) => (ns.code === undefined ? [] : [{ source: ns.code, resource: ns.logicalId }]));
}

/**
 * Compiles and plans every namespace's handlers; what cannot run fails here, at start (or reload).
 * @throws TemplateError naming the namespace and what its code or HandlerConfigs lack
 */
export async function buildEventsHandlers(
  model: AppModel,
  runners: ReadonlyMap<string, DataSourceRunner>,
  sandboxOf: (code: CodeSource, resource: string) => Promise<Sandbox>,
  timeoutMs: number,
): Promise<TemplateEventsHandlers> {
  const plans = new Map<string, NamespacePlans>();
  for (const ns of model.events?.namespaces ?? []) {
    const sandbox = ns.code === undefined ? undefined : await sandboxOf(ns.code, ns.logicalId);
    const exported = sandbox?.exports() ?? [];
    const onPublish = planOf(ns, 'onPublish', ns.onPublish, sandbox, exported, runners, model.file);
    const onSubscribe = planOf(ns, 'onSubscribe', ns.onSubscribe, sandbox, exported, runners, model.file);
    plans.set(ns.name, { ...(onPublish ? { onPublish } : {}), ...(onSubscribe ? { onSubscribe } : {}) });
  }
  return new TemplateEventsHandlers(plans, timeoutMs);
}

function planOf(
  ns: ChannelNamespaceModel,
  name: EventHandlerName,
  config: HandlerConfigModel | undefined,
  sandbox: Sandbox | undefined,
  exported: readonly string[],
  runners: ReadonlyMap<string, DataSourceRunner>,
  file: string,
): EventHandlerPlan | undefined {
  const where = { file: ns.code?.file ?? file, resource: ns.logicalId };
  const property = name === 'onPublish' ? 'OnPublish' : 'OnSubscribe';
  const dataSource = config === undefined ? undefined : runners.get(config.dataSourceName);
  if (config?.behavior === 'DIRECT') {
    if (dataSource === undefined) throw new TemplateError(`HandlerConfigs.${property} names ${config.dataSourceName}, which did not start.`, where);
    return { kind: 'direct', name, resource: ns.logicalId, dataSource };
  }
  if (sandbox === undefined) return undefined;
  if (exported.includes(name)) return { kind: 'function', name, sandbox };
  const request = exported.includes(`${name}.request`);
  const response = exported.includes(`${name}.response`);
  if (request !== response) throw new TemplateError(`exports ${name} with ${request ? 'request but no response' : 'response but no request'}; a handler with a data source is { request(ctx), response(ctx) }.`, where);
  if (request) {
    if (dataSource === undefined) {
      throw new TemplateError(`exports ${name} as { request, response }, which calls a data source: give the namespace HandlerConfigs.${property} { Behavior: CODE, Integration: { DataSourceName } }, or export ${name} as a function.`, where);
    }
    return { kind: 'integration', name, sandbox, dataSource };
  }
  if (config !== undefined) throw new TemplateError(`HandlerConfigs.${property} is CODE, but the code exports no ${name} (it exports ${exported.join(', ') || 'nothing'}).`, where);
  return undefined;
}
