/**
 * A template made runnable: its code compiled into sandboxes, its tables in DynamoDB, its data
 * sources ready, an API key for each `AWS::AppSync::ApiKey`, and one field resolver per
 * template resolver for the executor. Everything that cannot run fails here, at start.
 */
import { print, type FieldNode, type SelectionSetNode } from 'graphql';
import type { LocalAuthOptions } from '../auth-check.js';
import { dirname, resolve } from 'node:path';
import { compileCode } from '../appsync-js/compile.js';
import { loadDeployLint } from '../appsync-js/deploy-lint.js';
import { loadOptional } from '../appsync-js/optional.js';
import { ResolverError, runResolver, type ResolverPlan, type Step } from '../appsync-js/run-resolver.js';
import { Sandbox } from '../appsync-js/sandbox.js';
import { ensureTables, startDynamoDB, type DynamoDBEngine } from '../datasources/dynamodb-engine.js';
import { DynamoDBDataSource } from '../datasources/dynamodb.js';
import { HttpDataSource } from '../datasources/http.js';
import { LAMBDA_DEFAULT_TIMEOUT_MS, LambdaDataSource, loadHandler } from '../datasources/lambda.js';
import { noneDataSource } from '../datasources/none.js';
import type { DataSourceRunner } from '../datasources/types.js';
import type { FieldInfo, FieldResolution, TemplateFieldResolver } from '../graphql/executor.js';
import { buildEventsHandlers, eventsLintTargets, type TemplateEventsHandlers } from './events-app.js';
import { FieldAuthorizer } from '../graphql/field-auth.js';
import { templateAuth } from './template-auth.js';
import { templateApiKeys } from './api-keys.js';
import { identityOf } from './identity.js';
import { loadTemplate } from './load.js';
import type { AppModel, CodeSource } from './model.js';
import { TemplateError } from './template-error.js';

export interface TemplateAppOptions {
  parameters?: Record<string, string> | undefined;
  /** Local handlers by Lambda logical id or function name: `file#export`. */
  lambdas?: Record<string, string> | undefined;
  dynamodbEndpoint?: string | undefined;
  dataDir?: string | undefined;
  /** CPU time per evaluation of resolver code, in ms. @default 1000 */
  evaluationTimeoutMs?: number | undefined;
  /** Where resolver `console` lines go. @default process.stderr */
  log?: ((line: string) => void) | undefined;
  /** The auth options given beside the template (IAM credentials, JWTs, Lambda tokens, more keys). */
  auth?: LocalAuthOptions | undefined;
  now?: (() => Date) | undefined;
  /**
   * Where eslint and @aws-appsync/eslint-plugin are resolved from for the deploy check; false
   * skips it. @default the template's folder
   */
  lintFrom?: string | false | undefined;
}

export interface TemplateApp {
  /** The model being served (replaced by `commit`). */
  model: AppModel;
  apiKeys: string[];
  /** The GraphQL API's auth rules. */
  auth: LocalAuthOptions;
  /** The Events API's auth rules (its own modes, the GraphQL API's providers). */
  eventsAuth: LocalAuthOptions;
  /** The schema's auth directives under the template's default provider. */
  fieldAuth: FieldAuthorizer;
  /** What `serve` says about the JWT and Lambda modes (issuers, whether signatures are verified, the authorizer); empty without them. */
  authNotes: string[];
  /** The resolvers being served: one Map, its entries replaced in place by `commit`. */
  fieldResolvers: Map<string, TemplateFieldResolver>;
  /** The Events namespaces' handlers being served: one object, its plans replaced by `commit`. */
  events: TemplateEventsHandlers;
  /**
   * Reads the template and its code again and builds everything anew (tables it adds are
   * created), without touching what is served. @throws TemplateError as at start.
   */
  prepare(): Promise<PreparedApp>;
  /** Serves a prepared version: its model and resolvers replace the current ones at once. */
  commit(prepared: PreparedApp): void;
  close(): Promise<void>;
}

/** A version of the app read again, ready to be served. */
export interface PreparedApp {
  model: AppModel;
  fieldResolvers: Map<string, TemplateFieldResolver>;
  events: TemplateEventsHandlers;
}


export async function startTemplateApp(file: string, options: TemplateAppOptions = {}): Promise<TemplateApp> {
  const model = loadTemplate(file, { parameters: options.parameters });
  const timeoutMs = options.evaluationTimeoutMs ?? 1000;
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const lint = options.lintFrom === false ? undefined : loadDeployLint(options.lintFrom ?? dirname(resolve(file)));
  if (lint !== undefined) log('unavailable' in lint ? `[deploy check] skipped: ${lint.unavailable}; code AppSync refuses to deploy may run here.` : `[deploy check] ${lint.description}`);
  const sandboxOf = async (code: CodeSource, resource: string, needsBoth: boolean): Promise<Sandbox> => {
    const sandbox = new Sandbox(await compileCode(code, resource), { timeoutMs, now: () => now().getTime(), log: (level, text) => log(`[${resource}] ${level} ${text}`) });
    const exported = sandbox.exports();
    const missing = (needsBoth ? ['request', 'response'] : []).filter((name) => !exported.includes(name));
    if (missing.length > 0) throw new TemplateError(`the code must export ${missing.join(' and ')} (it exports ${exported.join(', ') || 'nothing'}).`, { file: code.file, resource });
    return sandbox;
  };

  let dynamodb: DynamoDBEngine | undefined;
  const close = async () => void (await dynamodb?.close());
  const usesDynamo = (m: AppModel) => m.tables.length > 0 || [...m.dataSources.values()].some((d) => d.kind === 'AMAZON_DYNAMODB');
  const engineFor = async (m: AppModel): Promise<DynamoDBEngine | undefined> => {
    if (!usesDynamo(m)) return dynamodb;
    if (dynamodb === undefined) dynamodb = await startDynamoDB(m.tables, { endpoint: options.dynamodbEndpoint, dataDir: options.dataDir, region: 'us-east-1' });
    else await ensureTables(dynamodb, m.tables);
    return dynamodb;
  };
  /** Every resolver of `model` compiled, its data sources ready: what fails here fails the start (or the reload). */
  const build = async (model: AppModel): Promise<Omit<PreparedApp, 'model'>> => {
    if (lint !== undefined && !('unavailable' in lint)) {
      // Each piece of code parses first (esbuild says where it does not), then AWS's rules run on all of it.
      const targets = [...model.resolvers.map((r) => ({ source: r.code, resource: r.logicalId })), ...model.resolvers.flatMap((r) => r.functions.map((f) => ({ source: f.code, resource: f.logicalId }))), ...eventsLintTargets(model)];
      const unique = [...new Map(targets.map((t) => [t.resource, t])).values()];
      for (const { source, resource } of unique) await compileCode(source, resource);
      lint.check(unique);
    }
    const dynamodb = await engineFor(model);
    const readsDynamo = [...model.dataSources.values()].some((d) => d.kind === 'AMAZON_DYNAMODB');
    const { unmarshall } = readsDynamo ? await loadOptional<typeof import('@aws-sdk/util-dynamodb')>('@aws-sdk/util-dynamodb', 'for AMAZON_DYNAMODB data sources') : { unmarshall: undefined };
    const runners = new Map<string, DataSourceRunner>();
    for (const ds of model.dataSources.values()) {
      if (ds.kind === 'NONE') runners.set(ds.name, noneDataSource);
      else if (ds.kind === 'AMAZON_DYNAMODB' && dynamodb && unmarshall) runners.set(ds.name, new DynamoDBDataSource(dynamodb, ds.tableName, unmarshall as never));
      else if (ds.kind === 'HTTP') runners.set(ds.name, new HttpDataSource(ds.endpoint));
      else if (ds.kind === 'AWS_LAMBDA') {
        const fn = model.lambdas.find((l) => l.arn === ds.functionArn || ds.functionArn.endsWith(`:function:${l.functionName}`));
        const override = fn ? (options.lambdas?.[fn.logicalId] ?? options.lambdas?.[fn.functionName]) : Object.entries(options.lambdas ?? {}).find(([name]) => ds.functionArn.endsWith(`:function:${name}`))?.[1];
        if (fn === undefined && override === undefined) {
          throw new TemplateError(`data source ${ds.name} calls ${ds.functionArn}, which is no AWS::Lambda::Function of this template: give a local handler with --lambda <name>=<file>#<export>.`, { file, resource: ds.logicalId });
        }
        const model_ = fn ?? { logicalId: ds.logicalId, functionName: ds.functionArn.split(':').pop() ?? ds.name, arn: ds.functionArn, handler: 'index.handler', runtime: '', code: undefined, environment: {} };
        // Lambda stops a function at its Timeout (3 s unless set); a handler that never answers must not hold the request.
        runners.set(ds.name, new LambdaDataSource(await loadHandler(model_, override, file), model_.functionName, model_.timeoutMs ?? LAMBDA_DEFAULT_TIMEOUT_MS));
      }
    }
    const fieldResolvers = new Map<string, TemplateFieldResolver>();
    for (const resolver of model.resolvers) {
      const field = `${resolver.typeName}.${resolver.fieldName}`;
      const stepOf = async (code: CodeSource, resource: string, dataSourceName: string | undefined): Promise<Step> => ({ sandbox: await sandboxOf(code, resource, true), dataSource: dataSourceName === undefined ? undefined : runners.get(dataSourceName) });
      const plan: ResolverPlan = {
        field,
        kind: resolver.kind,
        resolver: await stepOf(resolver.code, resolver.logicalId, resolver.kind === 'UNIT' ? resolver.dataSourceName : undefined),
        functions: await Promise.all(resolver.functions.map((fn) => stepOf(fn.code, fn.logicalId, fn.dataSourceName))),
      };
      fieldResolvers.set(field, async (call): Promise<FieldResolution> => {
        const resolved = await runResolver(
          plan,
          {
            typeName: resolver.typeName,
            fieldName: resolver.fieldName,
            authType: call.authMode,
            ctx: {
              arguments: call.args,
              identity: identityOf(call.authMode, call.headers, call.caller, { defaultAction: model.api?.authProviders[0]?.userPool?.defaultAction }),
              source: call.source ?? null,
              info: infoOf(call.info),
              request: { headers: call.headers, domainName: null },
              env: model.api?.environment ?? {},
            },
          },
          timeoutMs,
        );
        return resolved;
      });
    }
    const events = await buildEventsHandlers(model, runners, (code, resource) => sandboxOf(code, resource, false), timeoutMs);
    return { fieldResolvers, events };
  };
  try {
    const { fieldResolvers, events } = await build(model);
    // Keys for either API (each API accepts keys only if it has API_KEY; a key is not tied to its API).
    const modes = new Set([...(model.api?.authModes ?? []), ...(model.events?.authModes ?? [])]);
    const apiKeys = modes.has('API_KEY') ? templateApiKeys(model.apiKeys, options.dataDir, file) : [];
    const { auth, eventsAuth, notes: authNotes } = await templateAuth(model, { given: options.auth, apiKeys, log, now, templateFile: file, lambdas: options.lambdas });
    const [defaultProvider] = model.api?.authProviders ?? [];
    const fieldAuth = new FieldAuthorizer({ defaultMode: defaultProvider?.mode ?? 'API_KEY', defaultAction: defaultProvider?.userPool?.defaultAction });
    const app: TemplateApp = {
      model,
      apiKeys,
      auth,
      eventsAuth,
      fieldAuth,
      authNotes,
      fieldResolvers,
      events,
      close,
      async prepare() {
        const next = loadTemplate(file, { parameters: options.parameters });
        return { model: next, ...(await build(next)) };
      },
      commit(prepared) {
        app.model = prepared.model;
        events.replace(prepared.events);
        fieldResolvers.clear();
        for (const [key, resolver] of prepared.fieldResolvers) fieldResolvers.set(key, resolver);
      },
    };
    return app;
  } catch (error) {
    await close();
    throw error;
  }
}

export { ResolverError };

/** `ctx.info`: the field, its parent type, the variables and the selection set (list and text). */
function infoOf(info: FieldInfo): Record<string, unknown> {
  const node = info.fieldNodes[0] as FieldNode | undefined;
  const list: string[] = [];
  const walk = (set: SelectionSetNode | undefined, prefix: string) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === 'Field') {
        if (selection.name.value === '__typename') continue;
        const path = `${prefix}${selection.name.value}`;
        list.push(path);
        walk(selection.selectionSet, `${path}/`);
      } else if (selection.kind === 'InlineFragment') walk(selection.selectionSet, prefix);
      else walk(info.fragments[selection.name.value]?.selectionSet, prefix);
    }
  };
  walk(node?.selectionSet, '');
  return {
    fieldName: info.fieldName,
    parentTypeName: info.parentType.name,
    variables: info.variableValues,
    selectionSetList: list,
    selectionSetGraphQL: node?.selectionSet ? print(node.selectionSet) : '',
  };
}
