/**
 * Where the CLI writes, and how. Results go to stdout (JSON, one line each, for `jq` and
 * friends); everything meant for a human (state, progress, errors) goes to stderr, so a pipe
 * only ever sees results.
 */
import { isTransportError } from '../errors.js';
import { redactUrl } from '../protocol/url.js';

export const PROGRAM = 'appsync-websockets';

/** The process's streams and environment, injectable so commands run in-process in tests. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

/** Writes one line to stdout. */
export function out(io: CliIo, line: string): void {
  io.stdout.write(`${line}\n`);
}

/** Writes one line of progress or state to stderr. */
export function note(io: CliIo, line: string): void {
  io.stderr.write(`${line}\n`);
}

/** A value as one JSON line (results may hold strings with newlines: JSON escapes them). */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

/** A URL for display: credentials in its user info or query string are masked. */
export function displayUrl(url: string): string {
  return redactUrl(url);
}

/**
 * The lines an error is reported with: one line, `appsync-websockets: <message>`; with
 * `verbose`, the stack and each cause follow. The library's messages never contain a secret,
 * and the CLI's own never echo a flag's value; newlines are folded so it stays one line.
 */
export function formatError(error: unknown, verbose: boolean): string[] {
  const lines = [`${PROGRAM}: ${oneLine(messageOf(error))}`];
  if (!verbose) return lines;
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    if (depth > 0) lines.push(`caused by: ${oneLine(current instanceof Error ? `${current.name}: ${current.message}` : String(current))}`);
    // The stack's frames only: its head repeats the message, which may span lines.
    if (current instanceof Error && current.stack) lines.push(...current.stack.split('\n').filter((line) => /^\s+at /.test(line)));
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    // Errors that are not the library's or the CLI's are unexpected: name them, they are clues.
    const known = isTransportError(error) || error.name === 'CliError';
    const message = error.message || error.name;
    return known ? message : `${error.name === 'Error' ? '' : `${error.name}: `}${message}`;
  }
  return String(error);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
