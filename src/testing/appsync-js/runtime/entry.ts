/**
 * The entry point of one evaluation, in the resolver's realm (see README.md here): parses the
 * input the server sent as JSON, calls the handler, and answers as JSON, so that only strings
 * cross between realms. `util.error`, `runtime.earlyReturn` and any other throw become a status.
 */
import type { EvaluationState } from './util.js';

export function buildEntry(handlers: () => Record<string, unknown>, state: EvaluationState) {
  return (inputJson: string): string => {
    const input = JSON.parse(inputJson) as { handler: string; ctx: Record<string, unknown>; authType: string; typeName: string; fieldName: string };
    state.errors = [];
    state.subscriptionFilter = undefined;
    state.invalidationFilter = undefined;
    state.invalidations = undefined;
    state.authType = input.authType;
    state.typeName = input.typeName;
    state.fieldName = input.fieldName;
    const ctx = input.ctx;
    ctx.args = ctx.arguments;
    const exported = handlers();
    // Events handlers may be objects of request/response (`onPublish.request`); they are listed and called by that dotted name.
    const member = (name: string): unknown => {
      const [outer = '', inner] = name.split('.');
      const value = exported[outer];
      return inner === undefined ? value : typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[inner] : undefined;
    };
    if (input.handler === '__exports') {
      const names: string[] = [];
      for (const key of Object.keys(exported)) {
        const value = exported[key];
        if (typeof value === 'function') names.push(key);
        else if (typeof value === 'object' && value !== null) for (const inner of ['request', 'response']) if (typeof (value as Record<string, unknown>)[inner] === 'function') names.push(`${key}.${inner}`);
      }
      return JSON.stringify(names);
    }
    const fn = member(input.handler);
    if (typeof fn !== 'function') return JSON.stringify({ status: 'missing' });
    try {
      const value = (fn as (c: unknown) => unknown)(ctx);
      return JSON.stringify({ status: 'ok', value: value === undefined ? null : value, stash: ctx.stash, errors: state.errors, subscriptionFilter: state.subscriptionFilter, invalidationFilter: state.invalidationFilter, invalidations: state.invalidations });
    } catch (error) {
      const e = error as { __earlyReturn?: boolean; __appsyncError?: boolean; value?: unknown; skipTo?: string; message?: unknown; name?: unknown } | null;
      if (e?.__earlyReturn) return JSON.stringify({ status: 'early', value: e.value, skipTo: e.skipTo, stash: ctx.stash, errors: state.errors, subscriptionFilter: state.subscriptionFilter, invalidationFilter: state.invalidationFilter, invalidations: state.invalidations });
      if (e?.__appsyncError) return JSON.stringify({ status: 'error', error: e, stash: ctx.stash, errors: state.errors });
      const message = typeof e?.message === 'string' ? e.message : String(error);
      return JSON.stringify({ status: 'thrown', name: typeof e?.name === 'string' ? e.name : 'Error', message, errors: state.errors });
    }
  };
}
