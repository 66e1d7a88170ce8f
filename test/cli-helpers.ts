/** Running the real CLI as a child process, shared by the CLI test files. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

/** The built CLI next to this compiled test (dist/src/cli/main.js under `npm test`). */
export const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  child: ChildProcess;
  done: Promise<Finished>;
  /** Resolves with the first match of `pattern` in stdout (rejects if the process ends first). */
  stdoutMatch(pattern: RegExp): Promise<RegExpMatchArray>;
}

/** Nowhere: the AWS SDK must find no shared files and no instance metadata on the test machine. */
const NOWHERE = join(tmpdir(), 'appsync-websockets-cli-test-nonexistent');

/** The child's environment: the machine's AWS and APPSYNC_ settings removed, so only the flags count. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(AWS_|APPSYNC_)/.test(name)) env[name] = value;
  }
  return {
    ...env,
    AWS_CONFIG_FILE: join(NOWHERE, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(NOWHERE, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

/** Starts the CLI; it is killed if still running when the test ends. */
export function cli(t: TestContext, args: string[], options: { env?: Record<string, string>; stdin?: string } = {}): Running {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: childEnv(options.env),
    stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  let stdout = '';
  let stderr = '';
  const watchers = new Set<() => void>();
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const watch of [...watchers]) watch();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<Finished>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return {
    child,
    done,
    stdoutMatch: (pattern) =>
      new Promise((resolve, reject) => {
        const watch = (): void => {
          const match = pattern.exec(stdout);
          if (match === null) return;
          watchers.delete(watch);
          resolve(match);
        };
        watchers.add(watch);
        watch();
        void done.then((end) => {
          if (watchers.delete(watch)) reject(new Error(`the CLI exited (${end.code}) before printing ${pattern}; stderr: ${end.stderr}`));
        });
      }),
  };
}

/** No secret in either stream, and no SigV4 signature. */
export function assertNoSecrets(end: Finished, secrets: readonly string[]): void {
  for (const secret of secrets) {
    assert.ok(!end.stdout.includes(secret), `stdout contains the secret ${secret}`);
    assert.ok(!end.stderr.includes(secret), `stderr contains the secret ${secret}`);
  }
  assert.doesNotMatch(end.stderr, /Signature=/);
}

/** The one-line error contract: stderr is exactly `appsync-websockets: <message>`. */
export function assertOneErrorLine(end: Finished, pattern: RegExp): void {
  const lines = end.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `expected one line on stderr, got: ${end.stderr}`);
  assert.match(lines[0] ?? '', /^appsync-websockets: /);
  assert.match(lines[0] ?? '', pattern);
}

/** Each non-empty stdout line, parsed as JSON. */
export function jsonLines(stdout: string): unknown[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);
}
