/**
 * `util` (ids, time, errors, encoding, type checks, str, math, http), `runtime` and
 * `extensions` of `@aws-appsync/utils`, checked against its type definitions. Anything not
 * implemented yet throws an error naming it. Evaluated in the resolver's realm (see README.md);
 * `host` holds the few server functions it needs, each taking and returning primitives.
 */

export interface RuntimeHost {
  uuid(): string;
  now(): number;
  randomByte(): number;
  log(level: string, text: string): void;
  base64Encode(text: string): string;
  base64Decode(text: string): string | null;
}

/** Per-evaluation state the entry resets before each call. */
export interface EvaluationState {
  errors: { message: string; errorType: string | null; data: unknown; errorInfo: unknown }[];
  authType: string;
  typeName: string;
  fieldName: string;
  /** What `extensions.setSubscriptionFilter` set (a subscription resolver's response), if anything. */
  subscriptionFilter: unknown;
  /** What `extensions.setSubscriptionInvalidationFilter` set (a subscription resolver's response), if anything. */
  invalidationFilter: unknown;
  /** The distinct `extensions.invalidateSubscriptions` calls (a mutation resolver's response), in order. */
  invalidations: unknown[] | undefined;
  /** How many distinct invalidations a request may make (a value, since the realm has no imports). */
  maxInvalidations: number;
}

export function buildUtil(
  host: RuntimeHost,
  state: EvaluationState,
  makeDynamodb: (notImplemented: (name: string) => () => never) => { toDynamoDB: (value: unknown) => unknown },
  makeTransform: (notImplemented: (name: string) => () => never, toDynamoDB: (value: unknown) => unknown, fail: (message: string) => never) => unknown,
) {
  const thrown = (message: string, errorType: string | null, data: unknown, errorInfo: unknown) => ({ __appsyncError: true, message: String(message), errorType: errorType ?? null, data: data ?? null, errorInfo: errorInfo ?? null });
  const notImplemented = (name: string) => () => {
    throw thrown(`${name} is not implemented by the local AppSync yet (appsync-websockets); see the README's "Run your AppSync app locally" for what is.`, 'NotImplemented', null, null);
  };
  const fail = (message: string): never => {
    throw thrown(message, 'Code', null, null);
  };
  const dynamodb = makeDynamodb(notImplemented);
  const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  const ulid = (): string => {
    let time = host.now();
    let out = '';
    for (let i = 0; i < 10; i += 1) {
      out = (CROCKFORD[time % 32] ?? '0') + out;
      time = Math.floor(time / 32);
    }
    for (let i = 0; i < 16; i += 1) out += CROCKFORD[host.randomByte() % 32] ?? '0';
    return out;
  };
  const ksuid = (): string => {
    // 4 bytes of seconds since 2014-05-13T16:53:20Z, 16 random bytes, base62 in 27 characters.
    const seconds = Math.floor(host.now() / 1000) - 1400000000;
    let bytes = [(seconds >>> 24) & 255, (seconds >>> 16) & 255, (seconds >>> 8) & 255, seconds & 255];
    for (let i = 0; i < 16; i += 1) bytes.push(host.randomByte());
    let out = '';
    while (bytes.length > 0) {
      const quotient: number[] = [];
      let remainder = 0;
      for (const byte of bytes) {
        const value = remainder * 256 + byte;
        const digit = Math.floor(value / 62);
        remainder = value % 62;
        if (quotient.length > 0 || digit > 0) quotient.push(digit);
      }
      out = (BASE62[remainder] ?? '0') + out;
      bytes = quotient;
    }
    return out.padStart(27, '0');
  };
  const isNull = (v: unknown) => v === null || v === undefined;
  const isEmpty = (v: unknown) => isNull(v) || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && Object.keys(v).length === 0);
  const isBlank = (v: unknown) => isNull(v) || (typeof v === 'string' && v.trim() === '');
  const typeOf = (v: unknown): string => {
    if (isNull(v)) return 'Null';
    if (typeof v === 'string') return 'String';
    if (typeof v === 'number') return 'Number';
    if (typeof v === 'boolean') return 'Boolean';
    if (Array.isArray(v)) return 'List';
    return 'Map';
  };
  const urlEncode = (s: string) => encodeURIComponent(String(s)).replace(/%20/g, '+').replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const util = {
    autoId: () => host.uuid(),
    autoUlid: ulid,
    autoKsuid: ksuid,
    error: (message: string, errorType?: string, data?: unknown, errorInfo?: unknown): never => {
      throw thrown(message, errorType ?? null, data, errorInfo);
    },
    appendError: (message: string, errorType?: string, data?: unknown, errorInfo?: unknown): void => {
      state.errors.push(thrown(message, errorType ?? null, data, errorInfo));
    },
    unauthorized: (): never => {
      throw thrown(`Not Authorized to access ${state.fieldName} on type ${state.typeName}`, 'Unauthorized', null, null);
    },
    authType: () => ({ API_KEY: 'API Key Authorization', AWS_IAM: 'IAM Authorization', AMAZON_COGNITO_USER_POOLS: 'User Pool Authorization', OPENID_CONNECT: 'Open ID Connect Authorization', AWS_LAMBDA: 'Lambda Authorization' } as Record<string, string>)[state.authType] ?? state.authType,
    matches: (pattern: string, value: string) => new RegExp(`^(?:${pattern})$`).test(String(value)),
    escapeJavaScript: (s: string) => JSON.stringify(String(s)).slice(1, -1).replace(/'/g, "\\'"),
    urlEncode,
    urlDecode: (s: string) => decodeURIComponent(String(s).replace(/\+/g, ' ')),
    base64Encode: (s: string) => host.base64Encode(String(s)),
    base64Decode: (s: string) => {
      const decoded = host.base64Decode(String(s));
      if (decoded === null) throw thrown('util.base64Decode: the value is not base64.', 'Code', null, null);
      return decoded;
    },
    isNull,
    isNullOrEmpty: isEmpty,
    isNullOrBlank: isBlank,
    defaultIfNull: (v: unknown, d: unknown) => (isNull(v) ? d : v),
    defaultIfNullOrEmpty: (v: unknown, d: unknown) => (isEmpty(v) ? d : v),
    defaultIfNullOrBlank: (v: unknown, d: unknown) => (isBlank(v) ? d : v),
    isString: (v: unknown) => typeof v === 'string',
    isNumber: (v: unknown) => typeof v === 'number',
    isBoolean: (v: unknown) => typeof v === 'boolean',
    isList: (v: unknown) => Array.isArray(v),
    isMap: (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v),
    typeOf,
    time: {
      nowISO8601: () => new Date(host.now()).toISOString(),
      nowEpochSeconds: () => Math.floor(host.now() / 1000),
      nowEpochMilliSeconds: () => host.now(),
      nowFormatted: notImplemented('util.time.nowFormatted'),
      parseFormattedToEpochMilliSeconds: notImplemented('util.time.parseFormattedToEpochMilliSeconds'),
      parseISO8601ToEpochMilliSeconds: (s: string) => {
        const ms = Date.parse(String(s));
        if (Number.isNaN(ms)) throw thrown(`util.time.parseISO8601ToEpochMilliSeconds: ${JSON.stringify(String(s))} is not an ISO 8601 timestamp.`, 'Code', null, null);
        return ms;
      },
      epochMilliSecondsToSeconds: (ms: number) => Math.floor(ms / 1000),
      epochMilliSecondsToISO8601: (ms: number) => new Date(ms).toISOString(),
      epochMilliSecondsToFormatted: notImplemented('util.time.epochMilliSecondsToFormatted'),
    },
    dynamodb,
    transform: makeTransform(notImplemented, dynamodb.toDynamoDB, fail),
    str: { normalize: (value: string, form: string) => String(value).normalize(String(form).toUpperCase()) },
    math: {
      roundNum: (n: number) => Math.round(n),
      minVal: (a: number, b: number) => Math.min(a, b),
      maxVal: (a: number, b: number) => Math.max(a, b),
      randomDouble: () => Math.random(),
      randomWithinRange: (start: number, end: number) => Math.floor(start + Math.random() * (end - start)),
    },
    http: {
      copyHeaders: (headers: Record<string, unknown>) => ({ ...headers }),
      addResponseHeader: notImplemented('util.http.addResponseHeader'),
      addResponseHeaders: notImplemented('util.http.addResponseHeaders'),
    },
    xml: { toMap: notImplemented('util.xml.toMap'), toJsonString: notImplemented('util.xml.toJsonString') },
    rds: { toJsonObject: notImplemented('util.rds.toJsonObject') },
  };
  const runtime = {
    earlyReturn: (value?: unknown, options?: { skipTo?: string }): never => {
      throw { __earlyReturn: true, value: value === undefined ? null : value, skipTo: options?.skipTo ?? 'END' };
    },
  };
  // A filter crosses to the server as JSON: a cycle or a BigInt fails the resolver with a Code error naming it, not a TypeError.
  const asJson = (value: unknown, what: string, noun = 'a filter'): unknown => {
    try {
      return JSON.parse(JSON.stringify(value)) as unknown;
    } catch (error) {
      throw thrown(`${what} was given ${noun} that is not JSON (${String((error as Error).message).split('\n')[0]}).`, 'Code', null, null);
    }
  };
  const extensions = {
    setSubscriptionFilter: (filter: unknown): void => {
      if (state.typeName !== 'Subscription') throw thrown(`extensions.setSubscriptionFilter works only in a resolver on a Subscription field, not on ${state.typeName}.${state.fieldName}.`, 'Code', null, null);
      state.subscriptionFilter = filter === undefined ? null : asJson(filter, 'extensions.setSubscriptionFilter');
    },
    setSubscriptionInvalidationFilter: (filter: unknown): void => {
      if (state.typeName !== 'Subscription') throw thrown(`extensions.setSubscriptionInvalidationFilter works only in a resolver on a Subscription field, not on ${state.typeName}.${state.fieldName}: a mutation ends subscriptions with extensions.invalidateSubscriptions.`, 'Code', null, null);
      state.invalidationFilter = filter === undefined ? null : asJson(filter, 'extensions.setSubscriptionInvalidationFilter');
    },
    // AWS: "at most five unique invalidateSubscriptions() calls in any single request"; a repeated
    // call is one call. (Before, the last call replaced the others: aws/aws-appsync-community#223.)
    invalidateSubscriptions: (invalidation: unknown): void => {
      if (state.typeName !== 'Mutation') throw thrown(`extensions.invalidateSubscriptions works only in a resolver on a Mutation field, not on ${state.typeName}.${state.fieldName}.`, 'Code', null, null);
      const given = (invalidation ?? {}) as { subscriptionField?: unknown; payload?: unknown };
      if (typeof given.subscriptionField !== 'string' || given.subscriptionField === '') throw thrown(`Expected extensions.invalidateSubscriptions({ subscriptionField, payload }) to name a Subscription field in subscriptionField, but got ${JSON.stringify(given.subscriptionField) ?? 'undefined'}.`, 'Code', null, null);
      if (typeof given.payload !== 'object' || given.payload === null || Array.isArray(given.payload)) throw thrown(`Expected extensions.invalidateSubscriptions({ subscriptionField, payload }) to have an object as payload (what the subscriptions' invalidation filters are tested against), but got ${JSON.stringify(given.payload) ?? 'undefined'}.`, 'Code', null, null);
      const copy = JSON.stringify(asJson({ subscriptionField: given.subscriptionField, payload: given.payload }, 'extensions.invalidateSubscriptions', 'a payload'));
      const seen = (state.invalidations ?? []).map((i) => JSON.stringify(i));
      if (seen.includes(copy)) return;
      if (seen.length >= state.maxInvalidations) throw thrown(`extensions.invalidateSubscriptions was called with ${seen.length + 1} different arguments; AppSync allows at most ${state.maxInvalidations} unique calls in one request. Invalidate with a payload several subscriptions' filters match instead.`, 'Code', null, null);
      state.invalidations = [...(state.invalidations ?? []), JSON.parse(copy)];
    },
    evictFromApiCache: notImplemented('extensions.evictFromApiCache'),
  };
  const text = (args: unknown[]) => args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a) ?? String(a))).join(' ');
  const console = {
    log: (...args: unknown[]) => host.log('INFO', text(args)),
    info: (...args: unknown[]) => host.log('INFO', text(args)),
    debug: (...args: unknown[]) => host.log('DEBUG', text(args)),
    warn: (...args: unknown[]) => host.log('WARN', text(args)),
    error: (...args: unknown[]) => host.log('ERROR', text(args)),
  };
  return { util, runtime, extensions, console, notImplemented, fail };
}
