/**
 * The local AppSync on Node: an HTTP server whose upgrades go to the real-time engine, bound to
 * the `ws` package, and whose `POST /graphql` runs queries and mutations when it has a schema.
 * Listens on 127.0.0.1, port 0 (a free port) unless told otherwise.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { GraphQLSchema } from 'graphql';
import { WebSocketServer, type WebSocket } from 'ws';
import { TransportConfigurationError } from '../errors.js';
import { reportLater } from '../transport/emitter.js';
import { LocalGraphQLExecutor, type AppSyncExecutionResult, type LocalResolvers } from './graphql/executor.js';
import { answerHttp, type LocalHttpRequest, type LocalHttpResponse } from './graphql/http-endpoint.js';
import { LocalStore } from './graphql/store.js';
import { RealtimeEngine, type RealtimeOptions } from './realtime-core.js';
import { EventsEngine, type EventsEngineOptions } from './events-engine.js';
import { answerLivePage, isLivePageRequest } from './live-page.js';
import { buildAppSyncSchema } from '../schema/appsync-sdl.js';
import type { TemplateFieldResolver } from './graphql/executor.js';
import { servedSchema } from './graphql/served-schema.js';
import type { TemplateApp } from './template/app.js';
import { watchFiles } from './template/watch.js';
import { templateEventsOptions } from './template/events-options.js';

export interface LocalAppSyncOptions extends Omit<RealtimeOptions, 'fieldResolvers' | 'fieldAuth'> {
  /** @default 0 (any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  hostname?: string;
  /**
   * Query and Mutation root-field resolvers that replace the default NONE data source echo and
   * store lookup (needs `schema`). @default none
   */
  resolvers?: LocalResolvers | undefined;
  /** Clock for generated `createdAt`/`updatedAt`. @default () => new Date() */
  now?: (() => Date) | undefined;
  /** Source of generated `id`s. @default crypto.randomUUID */
  generateId?: (() => string) | undefined;
  /** Largest HTTP request body accepted, in bytes; larger ones get a 413. @default 1048576 */
  maxBodyBytes?: number | undefined;
  /**
   * The Events API at `/event` (namespaces, their auth modes, timers). `auth`, `publicHost`,
   * `maxReceivedFrames` and `maxReceivedBytes` default to the server's. @default { namespaces: ['default'] }
   */
  events?: EventsEngineOptions | undefined;
  /**
   * A CloudFormation template (YAML or JSON; a CDK app's `cdk.out/<Stack>.template.json`) whose
   * AppSync API to run: its schema, APPSYNC_JS resolvers, data sources, DynamoDB tables, Lambda
   * functions and API keys. Replaces `schema` and `resolvers`; `auth` adds to the modes the
   * template enables. Needs the optional packages yaml, esbuild, dynalite,
   * @aws-sdk/client-dynamodb and @aws-sdk/util-dynamodb. @default none
   */
  template?: string | undefined;
  /** The template's parameters, overriding their defaults. @default {} */
  parameters?: Record<string, string> | undefined;
  /** Local handlers for the template's Lambda functions, by logical id or name: `file#export`. @default {} */
  lambdas?: Record<string, string> | undefined;
  /** A DynamoDB (or DynamoDB Local) endpoint instead of the embedded in-memory engine. @default embedded */
  dynamodbEndpoint?: string | undefined;
  /** Keep the embedded DynamoDB's data in this folder. @default in memory */
  dataDir?: string | undefined;
  /** CPU time one evaluation of resolver code may take, in ms. @default 1000 */
  evaluationTimeoutMs?: number | undefined;
  /** Where resolver `console` lines go, each prefixed with the resource. @default stderr */
  resolverLog?: ((line: string) => void) | undefined;
  /**
   * Reload the template when it or a file it reads (code, schema) changes, keeping live
   * connections and subscriptions and the DynamoDB data. A version that fails (a syntax error,
   * a broken reference…) is reported to `onReload` and the last good one keeps serving. The
   * API keys and auth modes stay as at start. @default false
   */
  watch?: boolean | undefined;
  /**
   * The deploy check (AWS's @aws-appsync/eslint-plugin base rules, refusing at start what AppSync
   * refuses to deploy) resolves eslint and the plugin from here; false skips it. Without them the
   * check is skipped, and `resolverLog` says so. @default the template's folder
   */
  lintFrom?: string | false | undefined;
  /** Told each reload's outcome (with `watch`, or `server.reload()`). @default none */
  onReload?: ((outcome: TemplateReload) => void) | undefined;
}

/** What one reload of the template did. */
export type TemplateReload =
  | {
      ok: true;
      resolvers: number;
      schemaChanged: boolean;
      /** The Events API's channel namespaces now served; absent when the template has no Events API. */
      namespaces?: number;
    }
  | { ok: false; error: TransportConfigurationError };

export interface LocalAppSync {
  /** `http://127.0.0.1:<port>/graphql`: give this to the transport (custom-domain style). */
  readonly url: string;
  /** `ws://127.0.0.1:<port>/graphql/realtime`. */
  readonly realtimeUrl: string;
  readonly port: number;
  /** `127.0.0.1:<port>`: the auth host clients send. */
  readonly host: string;
  /** The protocol engine: publish, received frames, subscriptions, faults. */
  readonly realtime: RealtimeEngine;
  /** The Events API engine: publish, received frames, subscriptions, faults. */
  readonly events: EventsEngine;
  /** `http://127.0.0.1:<port>/event`: give this to AppSyncEventsClient. */
  readonly eventsUrl: string;
  readonly server: Server;
  /** The API keys made for the template's `AWS::AppSync::ApiKey` resources (empty without a template). */
  readonly apiKeys: string[];
  /** What the template's JWT and Lambda modes accept here (issuers, whether signatures are verified, the authorizer); empty without them. */
  readonly authNotes: string[];
  /** The template's resources the local AppSync does not emulate (IAM roles…): logical id → type. */
  readonly notEmulated: ReadonlyMap<string, string>;
  /** The schema built from `options.schema`, or undefined when started without one. */
  readonly schema: GraphQLSchema | undefined;
  /**
   * Reads the template again and serves it if it runs (what `watch` does on a change); else the
   * last good version keeps serving. Resolves with the outcome, also told to `onReload`.
   * @throws TransportConfigurationError when the server runs no template.
   */
  reload(): Promise<TemplateReload>;
  /** What mutations wrote and queries read: items by type name and id. */
  readonly store: LocalStore;
  /**
   * Runs a mutation (or query) as if it came over HTTP, without auth, and fans its result out
   * to the subscriptions it feeds. Resolves with the response body AppSync would send.
   * @throws TransportConfigurationError when the server has no schema.
   */
  mutate(document: string, variables?: Record<string, unknown>, operationName?: string): Promise<AppSyncExecutionResult>;
  close(): Promise<void>;
}

const REALTIME_PATHS = new Set(['/graphql/realtime', '/graphql']);
const EVENTS_REALTIME_PATHS = new Set(['/event/realtime', '/event']);

export async function startLocalAppSync(given: LocalAppSyncOptions = {}): Promise<LocalAppSync> {
  const app = given.template === undefined ? undefined : await startTemplate(given);
  const options: LocalAppSyncOptions = app === undefined ? given : { ...given, schema: app.model.schema, auth: app.auth, resolvers: undefined };
  try {
    return await serveWith(options, app);
  } catch (error) {
    await app?.close();
    throw error;
  }
}

async function startTemplate(options: LocalAppSyncOptions): Promise<TemplateApp> {
  if (options.schema !== undefined || options.resolvers !== undefined) {
    throw new TransportConfigurationError('startLocalAppSync was given a template and a schema or resolvers: the template brings its own; pass one or the other.');
  }
  let module: typeof import('./template/app.js');
  try {
    module = await import('./template/app.js');
  } catch (error) {
    const { TEMPLATE_PACKAGES } = await import('./appsync-js/optional.js');
    throw new TransportConfigurationError(`Running a template needs the optional packages ${TEMPLATE_PACKAGES} (${(error as Error).message}): npm install --save-dev ${TEMPLATE_PACKAGES}`, { cause: error });
  }
  return module.startTemplateApp(options.template ?? '', {
    parameters: options.parameters,
    lambdas: options.lambdas,
    dynamodbEndpoint: options.dynamodbEndpoint,
    dataDir: options.dataDir,
    evaluationTimeoutMs: options.evaluationTimeoutMs,
    log: options.resolverLog,
    auth: options.auth,
    now: options.now,
    lintFrom: options.lintFrom,
  });
}

async function serveWith(options: LocalAppSyncOptions, app: TemplateApp | undefined): Promise<LocalAppSync> {
  const engine = new RealtimeEngine({ ...options, fieldResolvers: app?.fieldResolvers, fieldAuth: app?.fieldAuth });
  const events = new EventsEngine({
    auth: options.auth,
    publicHost: options.publicHost,
    maxReceivedFrames: options.maxReceivedFrames,
    maxReceivedBytes: options.maxReceivedBytes,
    ...options.events,
    // A template's Events API brings its namespaces, auth modes and handlers.
    ...(app === undefined ? {} : { ...templateEventsOptions(app.model, app.events), auth: app.eventsAuth }),
  });
  const store = new LocalStore();
  const executorFor = (schema: GraphQLSchema, fieldResolvers: Map<string, TemplateFieldResolver> | undefined) =>
    new LocalGraphQLExecutor({
      schema,
      resolvers: options.resolvers,
      store,
      now: options.now,
      generateId: options.generateId,
      publish: (field, value) => void engine.publish(field, value),
      invalidate: (field, payload) => void engine.invalidateMatching(field, payload),
      fieldResolvers,
      fieldAuth: app?.fieldAuth,
    });
  let executor = engine.schema === undefined ? undefined : executorFor(engine.schema, app?.fieldResolvers);
  if (executor === undefined && options.resolvers !== undefined) {
    throw new TransportConfigurationError('startLocalAppSync was given resolvers but no schema: pass `schema` (SDL text or a GraphQLSchema) too.');
  }
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576;
  const wss = new WebSocketServer({
    noServer: true,
    // The engine picked the protocol during the upgrade; echo it.
    handleProtocols: (protocols) =>
      protocols.has('graphql-ws') ? 'graphql-ws' : protocols.has('aws-appsync-event-ws') ? 'aws-appsync-event-ws' : false,
  });
  const server = createServer((req, res) => {
    // GET / is the live page (a chat on this server), GET /appsync-websockets.js the library for it.
    if (isLivePageRequest(req)) return void answerLivePage(req, res);
    void answer(req, res, maxBodyBytes, (request) =>
      request.path === '/event' ? events.handleHttp(request) : answerHttp(request, { executor, auth: options.auth }),
    );
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const target = REALTIME_PATHS.has(url.pathname) ? engine : EVENTS_REALTIME_PATHS.has(url.pathname) ? events : undefined;
    if (target === undefined) return refuse(socket, 404, JSON.stringify({ errors: [{ message: 'Not found' }] }));
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    const decision = target.upgrade({ path: url.pathname, query: url.searchParams, headers: req.headers, protocols });
    if (!decision.accept) return refuse(socket, decision.status, decision.body);
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const handlers = target.accept(
        {
          send: (text) => ws.send(text),
          close: (code, reason) => ws.close(code, reason),
          terminate: () => ws.terminate(),
          sendBinary: (bytes) => ws.send(bytes, { binary: true }),
          freeze: () => ws.pause(),
        },
        decision,
      );
      ws.on('message', (data, isBinary) => handlers.receive(isBinary ? null : data.toString()));
      ws.on('close', () => handlers.closed());
      ws.on('error', () => handlers.closed());
    });
  });
  const hostname = options.hostname ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, hostname, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = `${hostname}:${port}`;
  // One reload at a time, each told to onReload.
  let reloading: Promise<TemplateReload> = Promise.resolve({ ok: true, resolvers: 0, schemaChanged: false });
  const reload = (): Promise<TemplateReload> => {
    if (app === undefined) return Promise.reject(new TransportConfigurationError('reload() needs a template: start the local AppSync with startLocalAppSync({ template }).'));
    reloading = reloading.then(async () => {
      const outcome = await reloadTemplate(app);
      // A throwing callback is the app's bug: reported, and the queue of reloads goes on.
      try {
        options.onReload?.(outcome);
      } catch (error) {
        reportLater(error);
      }
      return outcome;
    });
    return reloading;
  };
  const reloadTemplate = async (running: TemplateApp): Promise<TemplateReload> => {
    try {
      const prepared = await running.prepare();
      if (prepared.model.schema === undefined || running.model.schema === undefined) {
        // An Events-only template (or one that gained or lost its GraphQL API, which needs a restart).
        if (prepared.model.schema !== running.model.schema) throw new TransportConfigurationError('The template gained or lost its GraphQL API: restart the local AppSync to serve the change.');
        const namespaces = templateEventsOptions(prepared.model, prepared.events).namespaces;
        running.commit(prepared);
        if (namespaces !== undefined) events.replaceNamespaces(namespaces);
        watcher?.update(prepared.model.files);
        return { ok: true, resolvers: prepared.fieldResolvers.size, schemaChanged: false, ...(namespaces !== undefined ? { namespaces: namespaces.length } : {}) };
      }
      const schemaChanged = prepared.model.schema !== running.model.schema;
      const candidate = schemaChanged ? servedSchema(buildAppSyncSchema(prepared.model.schema)) : engine.schema;
      if (candidate === undefined) throw new TransportConfigurationError('The template has no schema.');
      // Checks the resolvers against the schema (a resolver on a field it lacks) before anything is replaced.
      executorFor(candidate, prepared.fieldResolvers);
      const namespaces = templateEventsOptions(prepared.model, prepared.events).namespaces;
      running.commit(prepared);
      if (namespaces !== undefined) events.replaceNamespaces(namespaces);
      const schema = schemaChanged ? engine.replaceSchema(prepared.model.schema) : candidate;
      executor = executorFor(schema, running.fieldResolvers);
      watcher?.update(prepared.model.files);
      return { ok: true, resolvers: prepared.fieldResolvers.size, schemaChanged, ...(namespaces !== undefined ? { namespaces: namespaces.length } : {}) };
    } catch (error) {
      if (error instanceof TransportConfigurationError) return { ok: false, error };
      return { ok: false, error: new TransportConfigurationError(`The template could not be reloaded (${error instanceof Error ? error.message : String(error)}); the last good version keeps serving.`, { cause: error }) };
    }
  };
  const watcher = app !== undefined && options.watch === true ? watchFiles(app.model.files, async () => void (await reload())) : undefined;
  return {
    url: `http://${host}/graphql`,
    realtimeUrl: `ws://${host}/graphql/realtime`,
    port,
    host,
    realtime: engine,
    events,
    eventsUrl: `http://${host}/event`,
    server,
    get schema() {
      return engine.schema;
    },
    reload,
    apiKeys: app?.apiKeys ?? [],
    authNotes: app?.authNotes ?? [],
    notEmulated: app?.model.notEmulated ?? new Map(),
    store,
    async mutate(document, variables, operationName) {
      if (executor === undefined) {
        throw new TransportConfigurationError('mutate() needs a schema: start the local AppSync with startLocalAppSync({ schema }).');
      }
      // Through JSON, as over HTTP: plain objects, not graphql-js's null-prototype ones.
      return JSON.parse(JSON.stringify(await executor.execute({ query: document, variables, operationName }))) as AppSyncExecutionResult;
    },
    async close() {
      watcher?.close();
      engine.shutdown();
      events.shutdown();
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await reloading;
      await app?.close();
    },
  };
}

/** Reads the body (counting, not keeping, bytes past the limit) and writes the endpoint's answer. */
async function answer(
  req: IncomingMessage,
  res: ServerResponse,
  maxBodyBytes: number,
  endpoint: (request: LocalHttpRequest) => Promise<LocalHttpResponse>,
): Promise<void> {
  try {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    }
    const url = new URL(req.url ?? '/', 'http://local');
    const response =
      size > maxBodyBytes
        ? {
            status: 413,
            headers: { 'content-type': 'application/json', 'access-control-allow-origin': '*' },
            body: JSON.stringify({ errors: [{ errorType: 'BadRequestException', message: `Request body is larger than ${maxBodyBytes} bytes.` }] }),
          }
        : await endpoint({ method: req.method ?? 'GET', path: url.pathname, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    res.writeHead(response.status, response.headers);
    res.end(response.body);
  } catch {
    // The client went away mid-request: nothing left to answer.
    res.destroy();
  }
}

function refuse(socket: Duplex, status: number, body: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Error'}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
