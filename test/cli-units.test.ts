/**
 * The CLI's parts in-process: flags to auth, variables, documents, errors to exit codes and
 * lines, and the program's help and usage errors (no child process needed for those).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, test } from 'node:test';
import {
  AppSyncApiKeyAuthentication,
  AppSyncIAMAuthentication,
  AppSyncJWTAuthentication,
  AppSyncLambdaAuthentication,
  TransportAuthError,
  TransportBufferOverflowError,
  TransportClosed,
  TransportConfigurationError,
  TransportConnectionFailed,
  TransportDocumentError,
  TransportProtocolError,
  TransportQueryError,
  TransportServerError,
  TransportTimeoutError,
} from '../src/index.js';
import { authFromFlags, parseValue, parseVariables, readDocument } from '../src/cli/args.js';
import { registerDemo } from '../src/cli/commands/demo.js';
import { registerQuery } from '../src/cli/commands/query.js';
import { registerServe, reloadLine } from '../src/cli/commands/serve.js';
import { registerSubscribe } from '../src/cli/commands/subscribe.js';
import { CliUsageError, EXIT, exitCodeFor } from '../src/cli/exit-codes.js';
import { formatError, type CliIo } from '../src/cli/output.js';
import { formatUsageError, runCli } from '../src/cli/program.js';

const SECRET = 'da2-SECRET-unit-0123456789';
const COMMANDS = [registerSubscribe, registerQuery, registerServe, registerDemo];

/** An in-memory CliIo; stdin holds `input` (and is a terminal when `tty`). */
function memoryIo(options: { input?: string; tty?: boolean; env?: NodeJS.ProcessEnv } = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const stdin = Object.assign(Readable.from(options.input === undefined ? [] : [Buffer.from(options.input)]), { isTTY: options.tty ?? false });
  const io: CliIo = { stdout, stderr, stdin, env: options.env ?? {} };
  return { io, out: () => out, err: () => err };
}

async function run(args: string[], options: Parameters<typeof memoryIo>[0] = {}) {
  const memory = memoryIo(options);
  const code = await runCli(args, { commands: COMMANDS, io: memory.io, version: '9.9.9' });
  return { code, stdout: memory.out(), stderr: memory.err() };
}

describe('parseVariables', () => {
  test('merges --variables with -V, -V winning; values are JSON when they parse, else strings', () => {
    assert.deepEqual(
      parseVariables('{"room":"lobby","limit":5}', ['room=general', 'n=1', 'ok=true', 'none=null', 'obj={"a":[1]}', 'id=007', 'text=hello world', 'quoted="42"', 'eq=a=b', 'empty=']),
      { room: 'general', limit: 5, n: 1, ok: true, none: null, obj: { a: [1] }, id: '007', text: 'hello world', quoted: '42', eq: 'a=b', empty: '' },
    );
    assert.equal(parseVariables(undefined, []), undefined);
    assert.equal(parseValue('-1.5e3'), -1500);
  });

  test('bad input is a usage error that never echoes the value', () => {
    const cases: [string | undefined, string[], string][] = [
      [`{"key":"${SECRET}"`, [], `Expected --variables to be a JSON object like '{"room":"lobby"}', but it is not valid JSON (in a shell, wrap it in single quotes).`],
      ['[1]', [], `Expected --variables to be a JSON object like '{"room":"lobby"}', but got an array.`],
      ['"x"', [], `Expected --variables to be a JSON object like '{"room":"lobby"}', but got a string.`],
      ['null', [], `Expected --variables to be a JSON object like '{"room":"lobby"}', but got null.`],
      [undefined, ['a=1', SECRET], 'Expected each -V to be name=value, but -V number 2 has no "=".'],
      [undefined, [`=${SECRET}`], 'Expected each -V to be name=value, but -V number 1 has no name before "=".'],
    ];
    for (const [json, pairs, message] of cases) {
      assert.throws(() => parseVariables(json, pairs), (error: unknown) => {
        assert.ok(error instanceof CliUsageError);
        assert.equal(error.exitCode, EXIT.USAGE);
        assert.equal(error.message, message);
        return true;
      });
    }
  });
});

describe('authFromFlags', () => {
  test('one token mode from the flags, else from APPSYNC_* variables, else IAM with --region and --profile', () => {
    assert.ok(authFromFlags({ apiKey: SECRET }, {}).auth instanceof AppSyncApiKeyAuthentication);
    assert.ok(authFromFlags({ jwt: SECRET }, {}).auth instanceof AppSyncJWTAuthentication);
    assert.ok(authFromFlags({ lambdaToken: SECRET }, {}).auth instanceof AppSyncLambdaAuthentication);
    const fromEnv = authFromFlags({}, { APPSYNC_JWT: SECRET });
    assert.ok(fromEnv.auth instanceof AppSyncJWTAuthentication);
    assert.equal(fromEnv.description, 'JWT (Cognito user pools / OIDC) (from APPSYNC_JWT)');
    // A flag wins over the environment.
    assert.ok(authFromFlags({ apiKey: SECRET }, { APPSYNC_JWT: SECRET }).auth instanceof AppSyncApiKeyAuthentication);
    const iam = authFromFlags({ region: 'eu-west-1', profile: 'dev' }, {});
    assert.ok(iam.auth instanceof AppSyncIAMAuthentication);
    assert.equal(iam.auth.region, 'eu-west-1');
    assert.equal(iam.auth.profile, 'dev');
    assert.equal(iam.description, 'IAM (SigV4, profile dev, region eu-west-1)');
    for (const flags of [{ apiKey: SECRET }, { jwt: SECRET }, {}]) {
      assert.ok(!authFromFlags(flags, {}).description.includes(SECRET));
    }
  });

  test('conflicts and empty values are usage errors without the secret', () => {
    const cases: [Parameters<typeof authFromFlags>[0], NodeJS.ProcessEnv, string][] = [
      [{ apiKey: SECRET, jwt: SECRET }, {}, 'Expected one auth mode, but got --api-key and --jwt: keep only one.'],
      [{}, { APPSYNC_API_KEY: SECRET, APPSYNC_LAMBDA_TOKEN: SECRET }, 'Expected at most one of the environment variables APPSYNC_API_KEY, APPSYNC_JWT, APPSYNC_LAMBDA_TOKEN, but APPSYNC_API_KEY and APPSYNC_LAMBDA_TOKEN are set: unset one, or pass an auth flag.'],
      [{ apiKey: ' ' }, {}, 'Expected --api-key to be a non-empty value, but it is empty.'],
      [{ apiKey: SECRET, region: 'us-east-1' }, {}, '--region and --profile are for IAM auth only, but --api-key selects API key auth: drop one or the other.'],
    ];
    for (const [flags, env, message] of cases) {
      assert.throws(() => authFromFlags(flags, env), { name: 'CliError', message });
    }
  });
});

describe('readDocument', () => {
  test('from the argument, @file, stdin ("-" or nothing); a terminal stdin, an empty or missing file are usage errors', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'appsync-cli-units-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const file = join(dir, 'doc.graphql');
    await writeFile(file, 'subscription { a }');
    await writeFile(join(dir, 'empty.graphql'), '\n');
    assert.equal(await readDocument('{ a }', memoryIo().io), '{ a }');
    assert.equal(await readDocument(`@${file}`, memoryIo().io), 'subscription { a }');
    assert.equal(await readDocument(undefined, memoryIo({ input: 'query { b }' }).io), 'query { b }');
    assert.equal(await readDocument('-', memoryIo({ input: 'query { c }', tty: true }).io), 'query { c }');
    await assert.rejects(readDocument(undefined, memoryIo({ tty: true }).io), {
      name: 'CliError',
      message: 'Expected a GraphQL document: pass it as an argument, as @file.graphql, or on stdin (or "-" to type it).',
    });
    await assert.rejects(readDocument(`@${join(dir, 'missing.graphql')}`, memoryIo().io), {
      message: `Cannot read the document file "${join(dir, 'missing.graphql')}": no such file.`,
    });
    await assert.rejects(readDocument(`@${dir}`, memoryIo().io), { message: `Cannot read the document file "${dir}": it is a directory.` });
    await assert.rejects(readDocument(`@${join(dir, 'empty.graphql')}`, memoryIo().io), {
      message: `Expected a GraphQL document, but ${join(dir, 'empty.graphql')} is empty.`,
    });
    await assert.rejects(readDocument(undefined, memoryIo({ input: '' }).io), { message: 'Expected a GraphQL document, but stdin is empty.' });
  });
});

describe('exit codes and error lines', () => {
  test('every library error class maps to its exit code', () => {
    const table: [unknown, number][] = [
      [new TransportConfigurationError('x'), 2],
      [new CliUsageError('x'), 2],
      [new TransportAuthError('x'), 3],
      [new TransportServerError('x', { statusCode: 401 }), 3],
      [new TransportServerError('x', { statusCode: 403 }), 3],
      [new TransportServerError('x', { errors: [{ errorType: 'UnauthorizedException', message: 'no' }] }), 3],
      [new TransportConnectionFailed('x', { statusCode: 401 }), 3],
      [new TransportServerError('x', { statusCode: 500 }), 4],
      [new TransportConnectionFailed('x', { code: 1006 }), 4],
      [new TransportConnectionFailed('x', { statusCode: 404 }), 4],
      [new TransportTimeoutError('x', { phase: 'ack', timeoutMs: 1 }), 4],
      [new TransportProtocolError('x'), 4],
      [new TransportClosed('x'), 4],
      [new TransportQueryError('x', { errors: [] }), 5],
      [new TransportDocumentError('x'), 5],
      [new TransportBufferOverflowError('x'), 1],
      [new TypeError('x'), 1],
      ['a string', 1],
    ];
    for (const [error, code] of table) assert.equal(exitCodeFor(error), code, String(error));
  });

  test('one line without --verbose; the stack and causes with it; unexpected errors are named', () => {
    const error = new TransportConnectionFailed('Could not open\na socket.', { cause: new Error('ECONNREFUSED') });
    assert.deepEqual(formatError(error, false), ['appsync-websockets: Could not open a socket.']);
    const verbose = formatError(error, true);
    assert.equal(verbose[0], 'appsync-websockets: Could not open a socket.');
    assert.match(verbose[1] ?? '', /^\s+at /);
    assert.ok(verbose.includes('caused by: Error: ECONNREFUSED'));
    assert.deepEqual(formatError(new TypeError('x is not a function'), false), ['appsync-websockets: TypeError: x is not a function']);
    assert.deepEqual(formatError('plain', false), ['appsync-websockets: plain']);
  });

  test("Commander's usage errors become one line, with a mistyped --flag=value masked", () => {
    assert.equal(
      formatUsageError(`error: unknown option '--api-kye=${SECRET}'\n(Did you mean --api-key?)\n`),
      "appsync-websockets: unknown option '--api-kye=…' (Did you mean --api-key?) (see --help)",
    );
  });
});

describe('the program', () => {
  test('--help of the program and of every command exits 0 and lists the exit codes', async () => {
    for (const args of [['--help'], ['subscribe', '--help'], ['query', '--help'], ['serve', '--help'], ['demo', '--help'], ['help', 'serve']]) {
      const result = await run(args);
      assert.equal(result.code, 0, args.join(' '));
      assert.equal(result.stderr, '');
      assert.match(result.stdout, /^Usage: appsync-websockets/);
      assert.match(result.stdout, /\nExit codes:\n  0    success;[^]*\n  130  interrupted by Ctrl-C/);
    }
    assert.deepEqual(await run(['--version']), { code: 0, stdout: '9.9.9\n', stderr: '' });
  });

  test('usage errors: exit 2 and one line on stderr, never a secret', async () => {
    const cases: [string[], string][] = [
      [[], ''],
      [['subscribe'], "appsync-websockets: missing required argument 'url' (see --help)\n"],
      [['subscribe', 'http://x/graphql', '{ a }', `--api-kye=${SECRET}`], "appsync-websockets: unknown option '--api-kye=…' (see --help)\n"],
      [['subscribe', 'http://x/graphql', '{ a }', '--count', '0'], "appsync-websockets: option '--count <n>' argument '0' is invalid. Expected a whole number >= 1. (see --help)\n"],
      [['subscribe', 'http://x/graphql', '{ a }', '--handshake-auth', 'cookie'], "appsync-websockets: option '--handshake-auth <style>' argument 'cookie' is invalid. Allowed choices are subprotocol, query, headers. (see --help)\n"],
      [['serve', '--port', '70000'], "appsync-websockets: option '--port <port>' argument '70000' is invalid. Expected a port number from 0 to 65535 (0: any free port). (see --help)\n"],
      [['serve', '--iam-access-key-id', 'AKIA'], 'appsync-websockets: Expected --iam-access-key-id and --iam-secret-access-key together, but got only one of them.\n'],
      [['subscribe', 'http://x/graphql', 'subscription { a }', '--variables', `{${SECRET}`], `appsync-websockets: Expected --variables to be a JSON object like '{"room":"lobby"}', but it is not valid JSON (in a shell, wrap it in single quotes).\n`],
      [['unknown'], "appsync-websockets: unknown command 'unknown' (see --help)\n"],
    ];
    for (const [args, stderr] of cases) {
      const result = await run(args);
      assert.equal(result.code, 2, args.join(' '));
      assert.equal(result.stdout, '');
      if (args.length === 0) assert.match(result.stderr, /^Usage: appsync-websockets/, 'no command: the help, on stderr');
      else assert.equal(result.stderr, stderr);
      assert.ok(!result.stderr.includes(SECRET));
    }
  });

  test('a document that does not parse is exit 5 before anything connects; a subscription sent to query is exit 5 too', async () => {
    const bad = await run(['subscribe', 'http://127.0.0.1:9/graphql', 'subscription {', '--api-key', SECRET]);
    assert.deepEqual(bad, {
      code: 5,
      stdout: '',
      stderr: 'appsync-websockets: Expected a valid GraphQL document, but it does not parse: Syntax Error: Expected Name, found <EOF> (line 1, column 15).\n',
    });
    const wrongType = await run(['query', 'http://127.0.0.1:9/graphql', 'subscription S { a }', '--api-key', SECRET]);
    assert.equal(wrongType.code, 5);
    assert.match(wrongType.stderr, /^appsync-websockets: Expected a query or mutation operation, but the document's operation "S" is a subscription\. /);
  });

  test('serve: an unreadable or invalid schema file is a usage error naming the file and the line', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'appsync-cli-units-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const bad = join(dir, 'bad.graphql');
    await writeFile(bad, 'type Query {\n  a: Missing\n}\n');
    assert.deepEqual(await run(['serve', '--port', '0', '--schema', bad]), {
      code: 2,
      stdout: '',
      stderr: `appsync-websockets: ${bad}: Expected a valid AppSync schema, but found a problem: Unknown type "Missing". (line 2, column 6).\n`,
    });
    const missing = join(dir, 'missing.graphql');
    assert.deepEqual(await run(['serve', '--schema', missing]), {
      code: 2,
      stdout: '',
      stderr: `appsync-websockets: Cannot read the schema file "${missing}": no such file.\n`,
    });
  });
});

test("--watch's reload line names what it serves now: resolvers, the Events API's namespaces, a new schema", () => {
  assert.equal(reloadLine({ ok: true, resolvers: 1, schemaChanged: false }), 'reloaded: 1 resolver; live connections kept.');
  assert.equal(reloadLine({ ok: true, resolvers: 3, schemaChanged: true, namespaces: 2 }), 'reloaded: 3 resolvers, 2 Events namespaces, a new schema; live connections kept.');
  // An Events-only template has no resolvers to speak of.
  assert.equal(reloadLine({ ok: true, resolvers: 0, schemaChanged: false, namespaces: 1 }), 'reloaded: 1 Events namespace; live connections kept.');
});
