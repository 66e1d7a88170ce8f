/**
 * A CloudFormation (or CDK-synthesized) template → the AppModel the local AppSync runs. Reads
 * the resources it emulates (GraphQLApi, GraphQLSchema, ApiKey, DataSource, Resolver,
 * FunctionConfiguration, DynamoDB tables, Lambda functions), lists the others as not emulated,
 * and refuses, naming the resource, anything it cannot run as deployed (VTL, unsupported data
 * sources, a second API, unresolvable intrinsics). Nothing is skipped silently. The Events API
 * (`AWS::AppSync::Api`, `AWS::AppSync::ChannelNamespace`) is read by load-events.ts.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'graphql';
import { basename, extname } from 'node:path';
import { AssetFinder } from './assets.js';
import { parseTemplate } from './cfn-yaml.js';
import type { ApiModel, AppModel, AuthMode, CodeSource, DataSourceModel, FunctionModel, LambdaModel, ResolverModel, TableModel } from './model.js';
import { readEventsApi } from './load-events.js';
import { checkReferences } from './references.js';
import { TemplateScope, type Resources } from './scope.js';
import { TemplateError } from './template-error.js';
import { readAuthProviders } from './auth-config.js';

export interface LoadTemplateOptions {
  /** Parameter overrides, as `--parameter Name=Value` gives them. */
  parameters?: Record<string, string> | undefined;
  region?: string | undefined;
}

const AUTH_MODES = new Set<AuthMode>(['API_KEY', 'AWS_IAM', 'AMAZON_COGNITO_USER_POOLS', 'OPENID_CONNECT', 'AWS_LAMBDA']);
const DATA_SOURCE_KINDS = new Set(['NONE', 'AMAZON_DYNAMODB', 'AWS_LAMBDA', 'HTTP']);

type Props = Record<string, unknown>;

export function loadTemplate(file: string, options: LoadTemplateOptions = {}): AppModel {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new TemplateError(`cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, { file }, { cause: error });
  }
  const parsed = parseTemplate(text, file);
  const template = parsed.value;
  if (typeof template !== 'object' || template === null || typeof (template as Props).Resources !== 'object') {
    throw new TemplateError('is not a CloudFormation template: it has no Resources section.', { file });
  }
  const root = template as Props;
  if (root.Transform !== undefined && JSON.stringify(root.Transform).includes('AWS::Serverless')) {
    throw new TemplateError('uses the AWS::Serverless transform (SAM): run `sam build` or `sam validate --debug` and give the local AppSync the transformed template, or use AWS::AppSync and AWS::Lambda resources directly.', { file });
  }
  const lineOf = parsed.lineOf;
  checkReferences(root, file, lineOf);
  const resources = root.Resources as Resources;
  const scope = new TemplateScope(root, { file, parameters: options.parameters ?? {}, region: options.region, stackName: basename(file, extname(file)).replace(/\.template$/, '') });
  const assets = new AssetFinder(file);
  const files = new Set<string>([file]);
  const active = Object.entries(resources).filter(([, r]) => typeof r.Condition !== 'string' || scope.condition(r.Condition));
  const ofType = (type: string) => active.filter(([, r]) => r.Type === type).map(([id, r]) => ({ id, props: (scope.resolve(r.Properties ?? {}, id) ?? {}) as Props }));
  const where = (id: string, ...path: (string | number)[]) => ({ file, resource: id, line: lineOf(['Resources', id, ...path]) });

  const code = (id: string, props: Props, inline = 'Code'): CodeSource => {
    const text = props[inline];
    if (typeof text === 'string') return { text, file, firstLine: lineOf(['Resources', id, 'Properties', inline]) ?? 1 };
    if (props.CodeS3Location !== undefined) {
      const path = assets.locate(props.CodeS3Location, 'CodeS3Location', id);
      files.add(path);
      return { text: readFileSync(path, 'utf8'), file: path, firstLine: 1 };
    }
    throw new TemplateError(`has no ${inline} or CodeS3Location.`, where(id, 'Properties'));
  };
  const requireJs = (id: string, props: Props, what: string): void => {
    const runtime = props.Runtime as Props | undefined;
    if (runtime?.Name === 'APPSYNC_JS') return;
    const vtl = props.RequestMappingTemplate !== undefined || props.RequestMappingTemplateS3Location !== undefined || props.ResponseMappingTemplate !== undefined;
    throw new TemplateError(
      vtl
        ? `${what} uses VTL mapping templates, which the local AppSync does not run: rewrite it as an APPSYNC_JS resolver (Runtime: { Name: APPSYNC_JS, RuntimeVersion: 1.0.0 } with Code).`
        : `${what} has Runtime ${JSON.stringify(runtime ?? null)}; the local AppSync runs only APPSYNC_JS 1.0.0.`,
      where(id, 'Properties'),
    );
  };

  // ---- the API ------------------------------------------------------------------------------
  const apis = ofType('AWS::AppSync::GraphQLApi');
  const [apiResource, second] = apis;
  const events = readEventsApi({ apis: ofType('AWS::AppSync::Api'), namespaces: ofType('AWS::AppSync::ChannelNamespace') }, scope, where, code, file);
  if (apiResource === undefined && events === undefined) {
    throw new TemplateError('has no AWS::AppSync::GraphQLApi and no AWS::AppSync::Api (Events) resource: the local AppSync runs one GraphQL API, one Events API, or both.', { file });
  }
  if (second !== undefined) {
    throw new TemplateError(`has ${apis.length} GraphQL APIs (${apis.map((a) => a.id).join(', ')}); the local AppSync runs one per server: split the template or start one server per API.`, { file });
  }
  const api = apiResource === undefined ? undefined : readApi(apiResource.id, apiResource.props, scope, where);

  const schemas = ofType('AWS::AppSync::GraphQLSchema');
  let schema: string | undefined;
  const [schemaResource] = schemas;
  if (apiResource === undefined) {
    // An Events-only template: no schema to read.
  } else if (schemaResource !== undefined) {
    const { id, props } = schemaResource;
    if (typeof props.Definition === 'string') schema = props.Definition;
    else if (props.DefinitionS3Location !== undefined) {
      const path = assets.locate(props.DefinitionS3Location, 'DefinitionS3Location', id);
      files.add(path);
      schema = readFileSync(path, 'utf8');
    } else throw new TemplateError('has neither Definition nor DefinitionS3Location.', where(id, 'Properties'));
  } else if (typeof apiResource.props.Definition === 'string') {
    schema = apiResource.props.Definition;
  }
  if (apiResource !== undefined && schema === undefined) throw new TemplateError(`has no AWS::AppSync::GraphQLSchema for the API ${apiResource.id}.`, { file });

  // ---- API keys -------------------------------------------------------------------------------
  const apiKeys = ofType('AWS::AppSync::ApiKey').map(({ id }) => id);

  // ---- tables and functions ---------------------------------------------------------------
  const tables: TableModel[] = ofType('AWS::DynamoDB::Table').map(({ id, props }) => readTable(id, props, scope));
  const lambdas: LambdaModel[] = active
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
    .map(([id, r]) => readLambda(id, (scope.resolve(r.Properties ?? {}, id) ?? {}) as Props, (r as { Metadata?: Props }).Metadata, scope, assets));

  // ---- data sources -------------------------------------------------------------------------
  const dataSources = new Map<string, DataSourceModel>();
  for (const { id, props } of ofType('AWS::AppSync::DataSource')) {
    const name = String(props.Name ?? id);
    const kind = String(props.Type);
    if (!DATA_SOURCE_KINDS.has(kind)) {
      throw new TemplateError(
        `data source ${name} is of type ${kind}, which the local AppSync does not run (it runs NONE, AMAZON_DYNAMODB, AWS_LAMBDA and HTTP): remove it, or use a Lambda or HTTP data source in front of that service.`,
        where(id, 'Properties', 'Type'),
      );
    }
    dataSources.set(name, readDataSource(id, name, kind, props, scope.region, where));
  }

  // ---- functions and resolvers --------------------------------------------------------------
  const functions = new Map<string, FunctionModel>();
  for (const { id, props } of ofType('AWS::AppSync::FunctionConfiguration')) {
    requireJs(id, props, `function ${String(props.Name ?? id)}`);
    const dataSourceName = String(props.DataSourceName);
    if (!dataSources.has(dataSourceName)) throw unknownDataSource(dataSourceName, dataSources, where(id, 'Properties', 'DataSourceName'));
    functions.set(id, { logicalId: id, functionId: id, name: String(props.Name ?? id), dataSourceName, code: code(id, props), maxBatchSize: numberOr(props.MaxBatchSize) });
  }
  const resolvers: ResolverModel[] = [];
  const fields = schema === undefined ? undefined : schemaFields(schema);
  for (const { id, props } of ofType('AWS::AppSync::Resolver')) {
    const field = `${String(props.TypeName)}.${String(props.FieldName)}`;
    if (fields !== undefined && !fields.has(field)) throw new TemplateError(`the resolver of ${field} names a field the schema lacks: AppSync would refuse to deploy it.`, where(id, 'Properties', 'FieldName'));
    requireJs(id, props, `the resolver of ${field}`);
    const kind = props.Kind === 'PIPELINE' ? 'PIPELINE' : 'UNIT';
    const resolver: ResolverModel = { logicalId: id, typeName: String(props.TypeName), fieldName: String(props.FieldName), kind, functions: [], code: code(id, props), maxBatchSize: numberOr(props.MaxBatchSize) };
    if (kind === 'UNIT') {
      const dataSourceName = String(props.DataSourceName ?? '');
      if (!dataSources.has(dataSourceName)) throw unknownDataSource(dataSourceName, dataSources, where(id, 'Properties', 'DataSourceName'));
      resolver.dataSourceName = dataSourceName;
    } else {
      const ids = ((props.PipelineConfig as Props | undefined)?.Functions ?? []) as unknown[];
      resolver.functions = ids.map((fid) => {
        const fn = functions.get(String(fid));
        if (fn === undefined) throw new TemplateError(`PipelineConfig.Functions lists ${JSON.stringify(fid)}, which is no AWS::AppSync::FunctionConfiguration's FunctionId (use !GetAtt <Function>.FunctionId).`, where(id, 'Properties', 'PipelineConfig'));
        return fn;
      });
    }
    const duplicate = resolvers.find((r) => r.typeName === resolver.typeName && r.fieldName === resolver.fieldName);
    if (duplicate) throw new TemplateError(`is a second resolver for ${field} (${duplicate.logicalId} is the first); AppSync allows one per field.`, where(id));
    resolvers.push(resolver);
  }

  for (const namespace of events?.namespaces ?? []) {
    for (const [property, config] of [['OnPublish', namespace.onPublish], ['OnSubscribe', namespace.onSubscribe]] as const) {
      if (config !== undefined && !dataSources.has(config.dataSourceName)) throw unknownDataSource(config.dataSourceName, dataSources, where(namespace.logicalId, 'Properties', 'HandlerConfigs', property));
      if (config?.behavior === 'DIRECT' && dataSources.get(config.dataSourceName)?.kind !== 'AWS_LAMBDA') {
        throw new TemplateError(`HandlerConfigs.${property}.Behavior is DIRECT, which AppSync allows only with an AWS_LAMBDA data source, but ${config.dataSourceName} is ${dataSources.get(config.dataSourceName)?.kind ?? 'unknown'}.`, where(namespace.logicalId, 'Properties', 'HandlerConfigs', property));
      }
    }
  }

  const emulated = new Set(['AWS::AppSync::Api', 'AWS::AppSync::ChannelNamespace', 'AWS::AppSync::GraphQLApi', 'AWS::AppSync::GraphQLSchema', 'AWS::AppSync::ApiKey', 'AWS::AppSync::DataSource', 'AWS::AppSync::Resolver', 'AWS::AppSync::FunctionConfiguration', 'AWS::DynamoDB::Table', 'AWS::Lambda::Function']);
  const notEmulated = new Map(active.filter(([, r]) => !emulated.has(String(r.Type))).map(([id, r]) => [id, String(r.Type)]));
  return { file, api, schema, events, apiKeys, dataSources, resolvers, tables, lambdas, notEmulated, files: [...files] };
}

function numberOr(value: unknown): number | undefined {
  return value === undefined ? undefined : Number(value);
}

function unknownDataSource(name: string, known: Map<string, DataSourceModel>, at: { file: string; resource: string; line: number | undefined }): TemplateError {
  return new TemplateError(`DataSourceName ${JSON.stringify(name)} names no AWS::AppSync::DataSource of this template (its data sources: ${[...known.keys()].join(', ') || 'none'}).`, at);
}

function readApi(id: string, props: Props, scope: TemplateScope, where: (id: string, ...path: (string | number)[]) => { file: string; resource: string; line: number | undefined }): ApiModel {
  const mode = (value: unknown, path: (string | number)[]): AuthMode => {
    if (typeof value === 'string' && AUTH_MODES.has(value as AuthMode)) return value as AuthMode;
    throw new TemplateError(`AuthenticationType ${JSON.stringify(value)} is not one of ${[...AUTH_MODES].join(', ')}.`, where(id, 'Properties', ...path));
  };
  const modes = [mode(props.AuthenticationType, ['AuthenticationType'])];
  const additional = Array.isArray(props.AdditionalAuthenticationProviders) ? (props.AdditionalAuthenticationProviders as Props[]) : [];
  let lambdaAuthorizer: string | undefined;
  const authorizerArn = (config: unknown): void => {
    const arn = (config as Props | undefined)?.AuthorizerUri;
    if (typeof arn === 'string') lambdaAuthorizer = arn;
  };
  authorizerArn(props.LambdaAuthorizerConfig);
  additional.forEach((provider, i) => {
    modes.push(mode(provider.AuthenticationType, ['AdditionalAuthenticationProviders', i, 'AuthenticationType']));
    authorizerArn(provider.LambdaAuthorizerConfig);
  });
  const environment: Record<string, string> = {};
  const variables = props.EnvironmentVariables ?? {};
  if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) throw new TemplateError('EnvironmentVariables must be a map of names to strings.', where(id, 'Properties', 'EnvironmentVariables'));
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value !== 'string') throw new TemplateError(`EnvironmentVariables.${name} must be a string (AppSync keeps only strings), but it is ${JSON.stringify(value)}.`, where(id, 'Properties', 'EnvironmentVariables', name));
    environment[name] = value;
  }
  const authProviders = readAuthProviders(props, modes, scope.region, (...path) => where(id, 'Properties', ...path));
  return { logicalId: id, name: String(props.Name ?? id), apiId: String(scope.getAtt(id, 'ApiId')), authModes: [...new Set(modes)], lambdaAuthorizer, authProviders, environment };
}

function readDataSource(id: string, name: string, kind: string, props: Props, region: string, where: (id: string, ...path: (string | number)[]) => { file: string; resource: string; line: number | undefined }): DataSourceModel {
  switch (kind) {
    case 'AMAZON_DYNAMODB': {
      const config = (props.DynamoDBConfig ?? {}) as Props;
      if (typeof config.TableName !== 'string') throw new TemplateError(`data source ${name} has no DynamoDBConfig.TableName.`, where(id, 'Properties'));
      return { kind, name, logicalId: id, tableName: config.TableName, region: String(config.AwsRegion ?? region) };
    }
    case 'AWS_LAMBDA': {
      const arn = ((props.LambdaConfig ?? {}) as Props).LambdaFunctionArn;
      if (typeof arn !== 'string') throw new TemplateError(`data source ${name} has no LambdaConfig.LambdaFunctionArn.`, where(id, 'Properties'));
      return { kind, name, logicalId: id, functionArn: arn };
    }
    case 'HTTP': {
      const config = (props.HttpConfig ?? {}) as Props;
      if (typeof config.Endpoint !== 'string') throw new TemplateError(`data source ${name} has no HttpConfig.Endpoint.`, where(id, 'Properties'));
      if (config.AuthorizationConfig !== undefined) {
        throw new TemplateError(`data source ${name} signs its requests (HttpConfig.AuthorizationConfig, SigV4 to an AWS service), which the local AppSync does not do: remove AuthorizationConfig for local runs, or point the data source at an endpoint that needs no signature.`, where(id, 'Properties', 'HttpConfig'));
      }
      return { kind, name, logicalId: id, endpoint: config.Endpoint.replace(/\/+$/, '') };
    }
    default:
      return { kind: 'NONE', name, logicalId: id };
  }
}

function readTable(id: string, props: Props, scope: TemplateScope): TableModel {
  const list = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);
  return {
    logicalId: id,
    tableName: String(scope.ref(id)),
    keySchema: list(props.KeySchema),
    attributeDefinitions: list(props.AttributeDefinitions),
    globalSecondaryIndexes: list<Props>(props.GlobalSecondaryIndexes).map((i) => ({ IndexName: String(i.IndexName), KeySchema: list(i.KeySchema), Projection: (i.Projection as Props | undefined) ?? { ProjectionType: 'ALL' } })),
    localSecondaryIndexes: list<Props>(props.LocalSecondaryIndexes).map((i) => ({ IndexName: String(i.IndexName), KeySchema: list(i.KeySchema), Projection: (i.Projection as Props | undefined) ?? { ProjectionType: 'ALL' } })),
  };
}

function readLambda(id: string, props: Props, metadata: Props | undefined, scope: TemplateScope, assets: AssetFinder): LambdaModel {
  const codeProps = (props.Code ?? {}) as Props;
  const assetPath = metadata?.['aws:asset:path'];
  const directory = typeof assetPath === 'string' ? assets.relative(assetPath) : undefined;
  const code = typeof codeProps.ZipFile === 'string' ? { kind: 'inline' as const, text: codeProps.ZipFile } : directory !== undefined ? { kind: 'directory' as const, path: directory } : undefined;
  const variables = (((props.Environment ?? {}) as Props).Variables ?? {}) as Record<string, unknown>;
  return {
    logicalId: id,
    functionName: String(scope.ref(id)),
    arn: String(scope.getAtt(id, 'Arn')),
    handler: String(props.Handler ?? 'index.handler'),
    runtime: String(props.Runtime ?? ''),
    timeoutMs: props.Timeout === undefined ? undefined : Number(props.Timeout) * 1000,
    code,
    environment: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(v)])),
  };
}

/** `Type.field` for every field the schema declares; undefined when it does not parse (the schema's own check says why). */
function schemaFields(sdl: string): Set<string> | undefined {
  let document;
  try {
    document = parse(sdl);
  } catch {
    return undefined;
  }
  return new Set(document.definitions.flatMap((d) => ('fields' in d && 'name' in d && d.name !== undefined ? (d.fields ?? []).map((f) => `${d.name.value}.${f.name.value}`) : [])));
}
