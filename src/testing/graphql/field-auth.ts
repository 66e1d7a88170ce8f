/**
 * AppSync's per-field auth ("Using additional authorization modes", "Amazon Cognito user pools"
 * in the AppSync developer guide): a field or type without auth directives allows only the
 * API's default provider (and, when that is a Cognito user pool with `DefaultAction: DENY`, no
 * one); once a field has auth directives, only the modes they name are allowed, and a field's
 * directives replace its type's; `cognito_groups` restricts a Cognito caller to those groups; a
 * Lambda authorizer's `deniedFields` deny those fields whatever the schema says.
 */
import { getDirectiveValues, isObjectType, type ASTNode, type GraphQLSchema } from 'graphql';
import { TransportConfigurationError } from '../../errors.js';
import type { LocalCaller } from '../auth-check.js';
import { isDeniedField } from '../lambda-auth.js';

/** The API's default provider, as the rules need it. @inline */
export interface FieldAuthPolicy {
  /** `AuthenticationType`: `API_KEY`, `AWS_IAM`, `AMAZON_COGNITO_USER_POOLS`, `OPENID_CONNECT` or `AWS_LAMBDA`. */
  defaultMode: string;
  /** `UserPoolConfig.DefaultAction` when the default mode is Cognito user pools. @default 'ALLOW' */
  defaultAction?: 'ALLOW' | 'DENY' | undefined;
}

const COGNITO = 'AMAZON_COGNITO_USER_POOLS';
const JWT_MODES = new Set([COGNITO, 'OPENID_CONNECT']);

/** Each auth directive and the mode it allows. */
const DIRECTIVE_MODES: Record<string, string> = {
  aws_api_key: 'API_KEY',
  aws_iam: 'AWS_IAM',
  aws_oidc: 'OPENID_CONNECT',
  aws_lambda: 'AWS_LAMBDA',
  aws_cognito_user_pools: COGNITO,
  // The older spelling, for Cognito-only APIs; it reads the same.
  aws_auth: COGNITO,
};

/** Allowed modes; for Cognito, the groups it is restricted to (undefined: any user). */
type Rule = Map<string, readonly string[] | undefined>;

interface CompiledRules {
  types: Map<string, Rule>;
  fields: Map<string, Rule>;
}

/** `Not Authorized to access <field> on type <Type>`, errorType `Unauthorized`, as AppSync answers a denied field. */
export function unauthorizedField(typeName: string, fieldName: string): Error & { errorType: string } {
  return Object.assign(new Error(`Not Authorized to access ${fieldName} on type ${typeName}`), { errorType: 'Unauthorized' });
}

export class FieldAuthorizer {
  readonly #policy: FieldAuthPolicy;
  readonly #compiled = new WeakMap<GraphQLSchema, CompiledRules>();

  constructor(policy: FieldAuthPolicy) {
    this.#policy = policy;
  }

  /** Reads the schema's auth directives once. @throws TransportConfigurationError for a directive whose arguments are not what it declares. */
  check(schema: GraphQLSchema): void {
    this.#rules(schema);
  }

  /** Whether a caller that passed as `mode` may read `typeName.fieldName`. */
  allows(schema: GraphQLSchema, typeName: string, fieldName: string, mode: string, caller: LocalCaller | undefined): boolean {
    // A server started without auth options accepts everything, fields included.
    if (mode === 'NONE') return true;
    if (isDeniedField(caller?.deniedFields, typeName, fieldName)) return false;
    const rules = this.#rules(schema);
    const rule = rules.fields.get(`${typeName}.${fieldName}`) ?? rules.types.get(typeName);
    if (rule === undefined) {
      if (mode !== this.#policy.defaultMode) return false;
      // A second user pool or OIDC provider is an additional provider, even in the default's mode.
      if (JWT_MODES.has(mode) && caller?.isDefaultProvider === false) return false;
      return !(mode === COGNITO && this.#policy.defaultAction === 'DENY');
    }
    if (!rule.has(mode)) return false;
    const groups = rule.get(mode);
    if (mode !== COGNITO || groups === undefined) return true;
    const callerGroups = caller?.claims?.['cognito:groups'];
    return Array.isArray(callerGroups) && callerGroups.some((group) => typeof group === 'string' && groups.includes(group));
  }

  #rules(schema: GraphQLSchema): CompiledRules {
    const known = this.#compiled.get(schema);
    if (known !== undefined) return known;
    const compiled: CompiledRules = { types: new Map(), fields: new Map() };
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      const typeRule = ruleOf(schema, [type.astNode, ...type.extensionASTNodes], type.name);
      if (typeRule !== undefined) compiled.types.set(type.name, typeRule);
      for (const field of Object.values(type.getFields())) {
        const fieldRule = ruleOf(schema, [field.astNode], `${type.name}.${field.name}`);
        if (fieldRule !== undefined) compiled.fields.set(`${type.name}.${field.name}`, fieldRule);
      }
    }
    this.#compiled.set(schema, compiled);
    return compiled;
  }
}

/** The rule the auth directives on these nodes make, or undefined when they have none. */
function ruleOf(schema: GraphQLSchema, nodes: readonly (ASTNode | null | undefined)[], where: string): Rule | undefined {
  let rule: Rule | undefined;
  for (const node of nodes) {
    if (node === null || node === undefined || !('directives' in node)) continue;
    for (const [name, mode] of Object.entries(DIRECTIVE_MODES)) {
      const directive = schema.getDirective(name);
      if (directive == null) continue;
      let args: Record<string, unknown> | undefined;
      try {
        args = getDirectiveValues(directive, node as Parameters<typeof getDirectiveValues>[1]);
      } catch (error) {
        throw new TransportConfigurationError(`The schema's @${name} on ${where} has an argument AppSync would refuse (${(error as Error).message.replace(/\.$/, '')}): cognito_groups is a list of group names, e.g. cognito_groups: ["admins"].`, { cause: error });
      }
      if (args === undefined) continue;
      rule ??= new Map();
      const given = args.cognito_groups;
      const groups = given === undefined || given === null ? undefined : (given as unknown[]).filter((g): g is string => typeof g === 'string');
      if (!rule.has(mode)) rule.set(mode, groups);
      else {
        // Two directives for one mode (`@aws_auth` and `@aws_cognito_user_pools`): either one's users pass.
        const before = rule.get(mode);
        rule.set(mode, before === undefined || groups === undefined ? undefined : [...before, ...groups]);
      }
    }
  }
  return rule;
}
