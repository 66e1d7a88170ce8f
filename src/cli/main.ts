#!/usr/bin/env node
/**
 * `appsync-websockets`, the command line. To add a command, write `commands/<name>.ts`
 * exporting a `CliCommand` and add it to COMMANDS: one line.
 */
import { readFileSync } from 'node:fs';
import { registerDemo } from './commands/demo.js';
import { registerEvents } from './commands/events.js';
import { registerQuery } from './commands/query.js';
import { registerServe } from './commands/serve.js';
import { registerSubscribe } from './commands/subscribe.js';
import { processIo } from './output.js';
import { runCli, type CliCommand } from './program.js';

const COMMANDS: readonly CliCommand[] = [registerSubscribe, registerQuery, registerEvents, registerServe, registerDemo];

/** The package's version, from the package.json three levels up (dist/src/cli → root). */
function version(): string {
  try {
    const text = readFileSync(new URL('../../../package.json', import.meta.url), 'utf8');
    return String((JSON.parse(text) as { version?: unknown }).version ?? 'unknown');
  } catch {
    return 'unknown';
  }
}

/** Resolves once everything written so far to `stream` has been handed to the OS. */
function flushed(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    // The callback runs once earlier writes are out, or with an error (a closed pipe): either way, done.
    stream.write('', () => resolve());
  });
}

// A reader that went away (`| head`) is handled by the commands that stream; elsewhere it must
// not turn into an uncaught exception with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

const code = await runCli(process.argv.slice(2), { commands: COMMANDS, io: processIo(), version: version() });
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
// Exit now, whatever timers or sockets a library may still hold: every command has closed its own.
process.exit(code);
