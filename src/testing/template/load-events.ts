/**
 * The Events half of a template: an `AWS::AppSync::Api` with an `EventConfig` (its auth providers
 * and the modes allowed to connect, publish and subscribe) and its `AWS::AppSync::ChannelNamespace`
 * resources (auth modes, handler code, `HandlerConfigs`). Property names as CloudFormation's
 * reference gives them (aws-resource-appsync-api.html, aws-resource-appsync-channelnamespace.html).
 */
import type { AuthMode, ChannelNamespaceModel, CodeSource, EventsApiModel, HandlerConfigModel } from './model.js';
import type { TemplateScope } from './scope.js';
import { TemplateError, type TemplateLocation } from './template-error.js';
import { readEventsAuthProviders } from './auth-config.js';

type Props = Record<string, unknown>;
type Where = (id: string, ...path: (string | number)[]) => TemplateLocation;

const EVENTS_AUTH_MODES = new Set<AuthMode>(['API_KEY', 'AWS_IAM', 'AMAZON_COGNITO_USER_POOLS', 'OPENID_CONNECT', 'AWS_LAMBDA']);
/** AppSync's rule for a namespace name: a channel's first segment. */
const NAMESPACE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,48}[A-Za-z0-9])?$/;
const BEHAVIORS = new Set(['CODE', 'DIRECT']);

export interface EventsResources {
  apis: { id: string; props: Props }[];
  namespaces: { id: string; props: Props }[];
}

/**
 * The Events API of the template, or undefined when it has none.
 * @param code reads `CodeHandlers` / `CodeS3Location` of a namespace (as `Code` of a resolver)
 * @throws TemplateError naming the resource and property for what AppSync would refuse
 */
export function readEventsApi(resources: EventsResources, scope: TemplateScope, where: Where, code: (id: string, props: Props, inline: string) => CodeSource, file: string): EventsApiModel | undefined {
  const [api, second] = resources.apis;
  if (api === undefined) {
    const [orphan] = resources.namespaces;
    if (orphan !== undefined) throw new TemplateError('is an AWS::AppSync::ChannelNamespace, but the template has no AWS::AppSync::Api (with an EventConfig) for it.', where(orphan.id));
    return undefined;
  }
  if (second !== undefined) {
    throw new TemplateError(`has ${resources.apis.length} Events APIs (${resources.apis.map((a) => a.id).join(', ')}); the local AppSync runs one per server: split the template or start one server per API.`, { file });
  }
  const { id, props } = api;
  const config = props.EventConfig;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new TemplateError('has no EventConfig: an Events API needs AuthProviders, ConnectionAuthModes, DefaultPublishAuthModes and DefaultSubscribeAuthModes.', where(id, 'Properties'));
  }
  const eventConfig = config as Props;
  const modes = (property: string, at: (string | number)[], required: boolean): AuthMode[] => {
    const list = eventConfig[property];
    if (list === undefined && !required) return [];
    if (!Array.isArray(list) || list.length === 0) throw new TemplateError(`EventConfig.${property} must be a non-empty list of { AuthType }.`, where(id, ...at, property));
    return list.map((entry, i) => authType(entry, where(id, ...at, property, i)));
  };
  const providers = modes('AuthProviders', ['Properties', 'EventConfig'], true);
  const known = new Set(providers);
  const allowed = (list: AuthMode[], at: TemplateLocation, what: string): AuthMode[] => {
    const missing = list.find((mode) => !known.has(mode));
    if (missing !== undefined) throw new TemplateError(`${what} lists ${missing}, which is none of the API's AuthProviders (${[...known].join(', ')}).`, at);
    return [...new Set(list)];
  };
  const at = (property: string) => where(id, 'Properties', 'EventConfig', property);
  const model: EventsApiModel = {
    logicalId: id,
    name: String(props.Name ?? id),
    apiId: String(scope.getAtt(id, 'ApiId')),
    authModes: [...known],
    authProviders: readEventsAuthProviders(eventConfig.AuthProviders as Props[], scope.region, (...path) => where(id, 'Properties', 'EventConfig', 'AuthProviders', ...path)),
    connectionAuthModes: allowed(modes('ConnectionAuthModes', ['Properties', 'EventConfig'], true), at('ConnectionAuthModes'), 'EventConfig.ConnectionAuthModes'),
    defaultPublishAuthModes: allowed(modes('DefaultPublishAuthModes', ['Properties', 'EventConfig'], true), at('DefaultPublishAuthModes'), 'EventConfig.DefaultPublishAuthModes'),
    defaultSubscribeAuthModes: allowed(modes('DefaultSubscribeAuthModes', ['Properties', 'EventConfig'], true), at('DefaultSubscribeAuthModes'), 'EventConfig.DefaultSubscribeAuthModes'),
    namespaces: [],
  };
  for (const { id: nsId, props: ns } of resources.namespaces) {
    const name = ns.Name;
    if (typeof name !== 'string' || !NAMESPACE_NAME.test(name)) {
      throw new TemplateError(`Name ${JSON.stringify(name ?? null)} is no namespace name: 1 to 50 characters of [A-Za-z0-9-], not starting or ending with "-".`, where(nsId, 'Properties', 'Name'));
    }
    if (model.namespaces.some((n) => n.name === name)) throw new TemplateError(`is a second namespace named ${name}.`, where(nsId));
    const listOf = (property: string): AuthMode[] | undefined => {
      const list = ns[property];
      if (list === undefined) return undefined;
      if (!Array.isArray(list)) throw new TemplateError(`${property} must be a list of { AuthType }.`, where(nsId, 'Properties', property));
      return allowed(list.map((entry, i) => authType(entry, where(nsId, 'Properties', property, i))), where(nsId, 'Properties', property), property);
    };
    const hasCode = ns.CodeHandlers !== undefined || ns.CodeS3Location !== undefined;
    if (ns.CodeHandlers !== undefined && typeof ns.CodeHandlers !== 'string') throw new TemplateError('CodeHandlers must be the handlers\' code as a string.', where(nsId, 'Properties', 'CodeHandlers'));
    const configs = (ns.HandlerConfigs ?? {}) as Props;
    const handler = (property: 'OnPublish' | 'OnSubscribe'): HandlerConfigModel | undefined => {
      const given = configs[property] as Props | undefined;
      if (given === undefined) return undefined;
      const behavior = given.Behavior;
      if (typeof behavior !== 'string' || !BEHAVIORS.has(behavior)) throw new TemplateError(`HandlerConfigs.${property}.Behavior must be CODE or DIRECT, but it is ${JSON.stringify(behavior ?? null)}.`, where(nsId, 'Properties', 'HandlerConfigs', property));
      const integration = (given.Integration ?? {}) as Props;
      if (typeof integration.DataSourceName !== 'string') throw new TemplateError(`HandlerConfigs.${property}.Integration.DataSourceName is missing: a handler config names the data source it uses.`, where(nsId, 'Properties', 'HandlerConfigs', property));
      const invokeType = (integration.LambdaConfig as Props | undefined)?.InvokeType;
      if (invokeType !== undefined && invokeType !== 'REQUEST_RESPONSE') {
        throw new TemplateError(`HandlerConfigs.${property} invokes its Lambda with InvokeType ${JSON.stringify(invokeType)}; the local AppSync runs only REQUEST_RESPONSE.`, where(nsId, 'Properties', 'HandlerConfigs', property));
      }
      if (behavior === 'CODE' && !hasCode) throw new TemplateError(`HandlerConfigs.${property}.Behavior is CODE, but the namespace has no CodeHandlers or CodeS3Location.`, where(nsId, 'Properties', 'HandlerConfigs', property));
      return { behavior: behavior as 'CODE' | 'DIRECT', dataSourceName: integration.DataSourceName };
    };
    const namespace: ChannelNamespaceModel = {
      logicalId: nsId,
      name,
      publishAuthModes: listOf('PublishAuthModes'),
      subscribeAuthModes: listOf('SubscribeAuthModes'),
      code: hasCode ? code(nsId, ns, 'CodeHandlers') : undefined,
      onPublish: handler('OnPublish'),
      onSubscribe: handler('OnSubscribe'),
    };
    model.namespaces.push(namespace);
  }
  return model;
}

function authType(entry: unknown, at: TemplateLocation): AuthMode {
  const type = (entry as Props | null)?.AuthType;
  if (typeof type === 'string' && EVENTS_AUTH_MODES.has(type as AuthMode)) return type as AuthMode;
  throw new TemplateError(`AuthType ${JSON.stringify(type ?? null)} is not one of ${[...EVENTS_AUTH_MODES].join(', ')}.`, at);
}
