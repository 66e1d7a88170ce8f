/** What the local AppSync runs, read from a template: the API, its code, its tables and functions. */

/** A piece of resolver code and where it came from, for errors that name the file and line. */
export interface CodeSource {
  text: string;
  /** The file the code is in: the code file, or the template for inline `Code`. */
  file: string;
  /** Line of `file` on which the code's first line is (1 for a code file). */
  firstLine: number;
}

export type AuthMode = 'API_KEY' | 'AWS_IAM' | 'AMAZON_COGNITO_USER_POOLS' | 'OPENID_CONNECT' | 'AWS_LAMBDA';

/** One of the API's auth providers: `AuthenticationType` with its `*Config`. */
export interface AuthProviderModel {
  mode: AuthMode;
  /** The API's `AuthenticationType` (the rest are `AdditionalAuthenticationProviders`). */
  isDefault: boolean;
  /** AMAZON_COGNITO_USER_POOLS: `UserPoolConfig`. */
  userPool?: { userPoolId: string; region: string; appIdClientRegex?: string | undefined; defaultAction: 'ALLOW' | 'DENY' } | undefined;
  /** OPENID_CONNECT: `OpenIDConnectConfig` (TTLs in ms; 0: not checked). */
  oidc?: { issuer: string; clientId?: string | undefined; iatTtlMs: number; authTtlMs: number } | undefined;
  /** AWS_LAMBDA: `LambdaAuthorizerConfig`. */
  lambda?: { authorizerUri: string; resultTtlSeconds: number; identityValidationExpression?: string | undefined } | undefined;
}

export interface ApiModel {
  logicalId: string;
  name: string;
  apiId: string;
  /** The default mode first, then the additional providers. */
  authModes: AuthMode[];
  /** The `AWS::Lambda::Function` logical id of the Lambda authorizer, when the template has one. */
  lambdaAuthorizer?: string | undefined;
  /** Each provider with its configuration, the default first (see auth-config.ts). */
  authProviders: AuthProviderModel[];
  /** `EnvironmentVariables`: what resolver code reads as `ctx.env`. */
  environment: Record<string, string>;
}

export type DataSourceModel =
  | { kind: 'NONE'; name: string; logicalId: string }
  | { kind: 'AMAZON_DYNAMODB'; name: string; logicalId: string; tableName: string; region: string }
  | { kind: 'AWS_LAMBDA'; name: string; logicalId: string; functionArn: string }
  | { kind: 'HTTP'; name: string; logicalId: string; endpoint: string };

export interface FunctionModel {
  logicalId: string;
  /** The id `Fn::GetAtt X.FunctionId` gives, which pipelines list. */
  functionId: string;
  name: string;
  dataSourceName: string;
  code: CodeSource;
  maxBatchSize?: number | undefined;
}

export interface ResolverModel {
  logicalId: string;
  typeName: string;
  fieldName: string;
  kind: 'UNIT' | 'PIPELINE';
  /** UNIT only. */
  dataSourceName?: string | undefined;
  /** PIPELINE only: the functions in order. */
  functions: FunctionModel[];
  code: CodeSource;
  maxBatchSize?: number | undefined;
}

export interface KeyElement {
  AttributeName: string;
  KeyType: 'HASH' | 'RANGE';
}

export interface TableModel {
  logicalId: string;
  tableName: string;
  keySchema: KeyElement[];
  attributeDefinitions: { AttributeName: string; AttributeType: 'S' | 'N' | 'B' }[];
  globalSecondaryIndexes: { IndexName: string; KeySchema: KeyElement[]; Projection: Record<string, unknown> }[];
  localSecondaryIndexes: { IndexName: string; KeySchema: KeyElement[]; Projection: Record<string, unknown> }[];
}

export type LambdaCode = { kind: 'inline'; text: string } | { kind: 'directory'; path: string };

export interface LambdaModel {
  logicalId: string;
  functionName: string;
  arn: string;
  /** `index.handler`: the file (without extension) and the export. */
  handler: string;
  runtime: string;
  /** `Timeout`, in ms (Lambda's default is 3 s). */
  timeoutMs?: number | undefined;
  /** Where its code is locally; undefined when only --lambda can give it. */
  code: LambdaCode | undefined;
  environment: Record<string, string>;
}

export interface AppModel {
  /** The template file as given. */
  file: string;
  /** The GraphQL API; undefined for a template with only an Events API. */
  api: ApiModel | undefined;
  /** The GraphQL schema; undefined without a GraphQL API. */
  schema: string | undefined;
  /** The Events API (`AWS::AppSync::Api` with an `EventConfig`) and its channel namespaces. */
  events?: EventsApiModel | undefined;
  /** Logical ids of the `AWS::AppSync::ApiKey` resources, each of which gets a key. */
  apiKeys: string[];
  dataSources: Map<string, DataSourceModel>;
  resolvers: ResolverModel[];
  tables: TableModel[];
  lambdas: LambdaModel[];
  /** Resources the local AppSync has no use for (IAM roles, policies…), by logical id: type. */
  notEmulated: Map<string, string>;
  /** Code files the app reads (for --watch). */
  files: string[];
}

/** An Events auth mode as `EventConfig` and namespaces name them. */
export type EventsAuthMode = AuthMode;

/** How a namespace's `onPublish` or `onSubscribe` runs (`HandlerConfigs`). */
export interface HandlerConfigModel {
  /** CODE: the namespace's code with this data source; DIRECT: the Lambda data source alone. */
  behavior: 'CODE' | 'DIRECT';
  dataSourceName: string;
}

export interface ChannelNamespaceModel {
  logicalId: string;
  name: string;
  /** Undefined: the API's `DefaultPublishAuthModes`. */
  publishAuthModes: EventsAuthMode[] | undefined;
  subscribeAuthModes: EventsAuthMode[] | undefined;
  /** `CodeHandlers` or `CodeS3Location`: the file exporting `onPublish` and/or `onSubscribe`. */
  code: CodeSource | undefined;
  onPublish: HandlerConfigModel | undefined;
  onSubscribe: HandlerConfigModel | undefined;
}

export interface EventsApiModel {
  logicalId: string;
  name: string;
  apiId: string;
  /** `AuthProviders`: every mode the API accepts. */
  authModes: EventsAuthMode[];
  /** Each of `AuthProviders` with its configuration (user pool, OIDC issuer, authorizer). */
  authProviders: AuthProviderModel[];
  connectionAuthModes: EventsAuthMode[];
  defaultPublishAuthModes: EventsAuthMode[];
  defaultSubscribeAuthModes: EventsAuthMode[];
  namespaces: ChannelNamespaceModel[];
}
