/**
 * What `Ref` and `Fn::GetAtt` give for this template, as a deployed stack would: parameters
 * (defaults, overrides, allowed values), pseudo parameters, named conditions, and the physical
 * names and attributes of the resources (a table's name and ARN, a function's ARN, an AppSync
 * function's `FunctionId`…). Names are deterministic, so the same template always gets the same.
 */
import { NO_VALUE, resolveIntrinsics, type IntrinsicScope, type Where } from './intrinsics.js';
import { TemplateError } from './template-error.js';

export interface ScopeOptions {
  file: string;
  /** `--parameter Name=Value` overrides. */
  parameters: Record<string, string>;
  /** @default 'us-east-1' */
  region?: string | undefined;
  /** @default '123456789012' */
  accountId?: string | undefined;
  /** @default the template's file name without extension */
  stackName: string;
}

export type Resources = Record<string, { Type?: unknown; Properties?: unknown; Condition?: unknown; DependsOn?: unknown }>;

/** The attributes each resource type has, beside what `Ref` gives. */
type Physical = { ref: string; attributes: Record<string, unknown> };

export class TemplateScope implements IntrinsicScope {
  readonly region: string;
  readonly accountId: string;
  readonly mappings: Record<string, unknown>;
  readonly #file: string;
  readonly #stackName: string;
  readonly #parameters = new Map<string, unknown>();
  /** SSM-typed parameters without a given value: an error only when something reads them (CDK's BootstrapVersion is read by Rules alone). */
  readonly #fromSsm = new Map<string, string>();
  readonly #conditionDefinitions: Record<string, unknown>;
  readonly #conditions = new Map<string, boolean | 'evaluating'>();
  readonly #resources: Resources;
  /** Values set by the loader once known (API keys' values, the API id…). */
  readonly #physical = new Map<string, Physical>();

  constructor(template: Record<string, unknown>, options: ScopeOptions) {
    this.#file = options.file;
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.#stackName = options.stackName;
    this.mappings = (template.Mappings as Record<string, unknown> | undefined) ?? {};
    this.#conditionDefinitions = (template.Conditions as Record<string, unknown> | undefined) ?? {};
    this.#resources = (template.Resources as Resources | undefined) ?? {};
    this.#readParameters((template.Parameters as Record<string, Record<string, unknown>> | undefined) ?? {}, options.parameters);
  }

  #readParameters(declared: Record<string, Record<string, unknown>>, given: Record<string, string>): void {
    for (const name of Object.keys(given)) {
      if (declared[name] === undefined) {
        const known = Object.keys(declared);
        throw new TemplateError(`${name} (given with --parameter or parameters) is not a parameter of this template (it has ${known.length > 0 ? known.join(', ') : 'none'}).`, { file: this.#file });
      }
    }
    for (const [name, spec] of Object.entries(declared)) {
      const type = String(spec.Type ?? 'String');
      const raw = given[name] ?? spec.Default;
      if (raw === undefined) {
        throw new TemplateError(`parameter ${name} has no Default: give its value with --parameter ${name}=<value> (or startLocalAppSync({ parameters: { ${name}: '…' } })).`, { file: this.#file });
      }
      const text = Array.isArray(raw) ? raw.join(',') : String(raw);
      const allowed = spec.AllowedValues;
      if (Array.isArray(allowed) && !allowed.map(String).includes(text)) {
        throw new TemplateError(`parameter ${name} is ${JSON.stringify(text)}, but its AllowedValues are ${allowed.map((v) => JSON.stringify(String(v))).join(', ')}.`, { file: this.#file });
      }
      if (type.startsWith('AWS::SSM::Parameter::Value') && given[name] === undefined) {
        this.#fromSsm.set(name, type);
        continue;
      }
      if (type === 'Number' && !Number.isFinite(Number(text))) {
        throw new TemplateError(`parameter ${name} is a Number, but ${JSON.stringify(text)} is not one.`, { file: this.#file });
      }
      const isList = type === 'CommaDelimitedList' || type.startsWith('List<');
      this.#parameters.set(name, isList ? text.split(',').map((s) => s.trim()) : text);
    }
  }

  ref(name: string): unknown {
    if (name === 'AWS::NoValue') return NO_VALUE;
    const pseudo = this.#pseudo(name);
    if (pseudo !== undefined) return pseudo;
    if (this.#parameters.has(name)) return this.#parameters.get(name);
    const ssm = this.#fromSsm.get(name);
    if (ssm !== undefined) {
      throw new TemplateError(`parameter ${name} is read from SSM Parameter Store (${ssm}), which only a deployed account has: give its value with --parameter ${name}=<value>.`, { file: this.#file });
    }
    return this.#resources[name] === undefined ? undefined : this.physical(name).ref;
  }

  getAtt(logicalId: string, attribute: string): unknown {
    if (this.#resources[logicalId] === undefined) {
      throw new TemplateError(`Fn::GetAtt ${logicalId}.${attribute} names no resource of this template (check the spelling).`, { file: this.#file });
    }
    const { attributes } = this.physical(logicalId);
    if (!(attribute in attributes)) {
      const type = String(this.#resources[logicalId]?.Type);
      throw new TemplateError(
        `Fn::GetAtt ${logicalId}.${attribute}: a ${type} has no attribute ${attribute} the local AppSync knows (it has ${Object.keys(attributes).join(', ') || 'none'}).`,
        { file: this.#file },
      );
    }
    return attributes[attribute];
  }

  condition(name: string): boolean {
    const known = this.#conditions.get(name);
    if (known === 'evaluating') throw new TemplateError(`condition ${name} depends on itself.`, { file: this.#file });
    if (known !== undefined) return known;
    if (!(name in this.#conditionDefinitions)) {
      throw new TemplateError(`condition ${name} is not declared in the template's Conditions (check the spelling).`, { file: this.#file });
    }
    this.#conditions.set(name, 'evaluating');
    const value = resolveIntrinsics(this.#conditionDefinitions[name], this, { file: this.#file, resource: `Conditions.${name}` }) === true;
    this.#conditions.set(name, value);
    return value;
  }

  /** Evaluates `value` for `resource`'s properties. */
  resolve(value: unknown, resource: string): unknown {
    const where: Where = { file: this.#file, resource };
    return resolveIntrinsics(value, this, where);
  }

  /** Sets what `Ref`/`GetAtt` give for a resource whose values the loader decides (API keys). */
  setAttribute(logicalId: string, attribute: string, value: unknown): void {
    this.physical(logicalId).attributes[attribute] = value;
  }

  #pseudo(name: string): unknown {
    switch (name) {
      case 'AWS::Region':
        return this.region;
      case 'AWS::AccountId':
        return this.accountId;
      case 'AWS::StackName':
        return this.#stackName;
      case 'AWS::StackId':
        return `arn:aws:cloudformation:${this.region}:${this.accountId}:stack/${this.#stackName}/00000000-0000-0000-0000-000000000000`;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::NotificationARNs':
        return [];
      default:
        return undefined;
    }
  }

  /** The physical id and attributes of a resource, decided once. */
  physical(logicalId: string): Physical {
    const known = this.#physical.get(logicalId);
    if (known) return known;
    const resource = this.#resources[logicalId] ?? {};
    const props = (typeof resource.Properties === 'object' && resource.Properties !== null ? resource.Properties : {}) as Record<string, unknown>;
    // A name given in the template is used as given (resolved lazily: it may use Refs itself).
    const named = (property: string, fallback: string): string => {
      const value = props[property] === undefined ? undefined : this.resolve(props[property], logicalId);
      return typeof value === 'string' ? value : fallback;
    };
    const arn = (service: string, path: string): string => `arn:aws:${service}:${this.region}:${this.accountId}:${path}`;
    const apiId = (): string => {
      const api = props.ApiId === undefined ? undefined : this.resolve(props.ApiId, logicalId);
      return typeof api === 'string' ? api : 'local';
    };
    const generated = `${this.#stackName}-${logicalId}`;
    let physical: Physical;
    switch (String(resource.Type)) {
      case 'AWS::AppSync::GraphQLApi': {
        const id = `${logicalId.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 20)}local`;
        const host = `${id}.appsync-api.${this.region}.amazonaws.com`;
        const apiArn = arn('appsync', `apis/${id}`);
        physical = {
          ref: apiArn,
          attributes: { ApiId: id, Arn: apiArn, GraphQLUrl: `https://${host}/graphql`, GraphQLDns: host, RealtimeUrl: `wss://${id}.appsync-realtime-api.${this.region}.amazonaws.com/graphql`, RealtimeDns: `${id}.appsync-realtime-api.${this.region}.amazonaws.com`, GraphQLEndpointArn: apiArn },
        };
        break;
      }
      case 'AWS::AppSync::Api': {
        // An Events API: Ref is its ARN; GetAtt gives ApiId, ApiArn and the Dns.Http / Dns.Realtime hosts.
        const id = `${logicalId.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 20)}local`;
        const apiArn = arn('appsync', `apis/${id}`);
        physical = { ref: apiArn, attributes: { ApiId: id, ApiArn: apiArn, 'Dns.Http': `${id}.appsync-api.${this.region}.amazonaws.com`, 'Dns.Realtime': `${id}.appsync-realtime-api.${this.region}.amazonaws.com` } };
        break;
      }
      case 'AWS::AppSync::ChannelNamespace': {
        const namespaceArn = arn('appsync', `apis/${apiId()}/channelNamespace/${named('Name', logicalId)}`);
        physical = { ref: namespaceArn, attributes: { ChannelNamespaceArn: namespaceArn } };
        break;
      }
      case 'AWS::AppSync::ApiKey': {
        const keyArn = arn('appsync', `apis/${apiId()}/apikeys/${logicalId}`);
        physical = { ref: keyArn, attributes: { Arn: keyArn, ApiKeyId: logicalId, ApiKey: 'da2-pending' } };
        break;
      }
      case 'AWS::AppSync::DataSource': {
        const name = named('Name', logicalId);
        const dsArn = arn('appsync', `apis/${apiId()}/datasources/${name}`);
        physical = { ref: dsArn, attributes: { DataSourceArn: dsArn, Name: name } };
        break;
      }
      case 'AWS::AppSync::FunctionConfiguration': {
        const fnArn = arn('appsync', `apis/${apiId()}/functions/${logicalId}`);
        physical = { ref: fnArn, attributes: { FunctionArn: fnArn, FunctionId: logicalId, Name: named('Name', logicalId), DataSourceName: named('DataSourceName', '') } };
        break;
      }
      case 'AWS::AppSync::Resolver': {
        const resolverArn = arn('appsync', `apis/${apiId()}/types/${named('TypeName', '')}/resolvers/${named('FieldName', '')}`);
        physical = { ref: resolverArn, attributes: { ResolverArn: resolverArn, TypeName: named('TypeName', ''), FieldName: named('FieldName', '') } };
        break;
      }
      case 'AWS::AppSync::GraphQLSchema':
        physical = { ref: `${apiId()}GraphQLSchema`, attributes: {} };
        break;
      case 'AWS::DynamoDB::Table': {
        const name = named('TableName', generated);
        const tableArn = arn('dynamodb', `table/${name}`);
        physical = { ref: name, attributes: { Arn: tableArn, StreamArn: `${tableArn}/stream/1970-01-01T00:00:00.000` } };
        break;
      }
      case 'AWS::Lambda::Function': {
        const name = named('FunctionName', generated);
        physical = { ref: name, attributes: { Arn: arn('lambda', `function:${name}`) } };
        break;
      }
      case 'AWS::IAM::Role': {
        const name = named('RoleName', generated);
        physical = { ref: name, attributes: { Arn: `arn:aws:iam::${this.accountId}:role/${name}`, RoleId: `AROA${logicalId.toUpperCase().slice(0, 17)}` } };
        break;
      }
      default:
        // A resource the local AppSync does not emulate: Ref gives its logical id, and any
        // attribute an ARN-shaped placeholder (they only reach properties of emulated resources).
        physical = { ref: logicalId, attributes: new Proxy({}, { has: () => true, get: (_t, attribute) => `arn:aws:local:${this.region}:${this.accountId}:${logicalId}/${String(attribute)}` }) };
    }
    this.#physical.set(logicalId, physical);
    return physical;
  }
}
