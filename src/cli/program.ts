/**
 * The program: global flags, help, usage errors and the mapping of every failure to one line on
 * stderr and an exit code. Commands are registered by the caller (see main.ts), each a function
 * that adds itself to the program, so this file knows none of them.
 */
import { Command, CommanderError } from 'commander';
import { EXIT, EXIT_CODES_HELP, exitCodeFor, type ExitCode } from './exit-codes.js';
import { PROGRAM, formatError, note, type CliIo } from './output.js';

export interface CliContext {
  readonly io: CliIo;
  /** `--verbose` was given: stack traces on errors, more detail on stderr. */
  readonly verbose: boolean;
  /** Wraps a command's action: it resolves with the exit code, or throws (mapped by {@link runCli}). */
  action(handler: (...args: never[]) => Promise<ExitCode>): (...args: unknown[]) => Promise<void>;
}

/** Adds one command (or a group of subcommands) to the program. */
export type CliCommand = (program: Command, context: CliContext) => void;

export interface RunOptions {
  commands: readonly CliCommand[];
  io: CliIo;
  /** @default 'unknown' */
  version?: string;
}

/** Parses `args` (without `node` and the script), runs the command and resolves with the exit code. */
export async function runCli(args: readonly string[], options: RunOptions): Promise<ExitCode> {
  const { io } = options;
  let exitCode: ExitCode = EXIT.OK;
  const program = new Command(PROGRAM)
    .description('AWS AppSync real-time GraphQL from the command line: subscribe, query, and a local AppSync.')
    .option('--verbose', 'more detail on stderr, and stack traces with errors')
    .version(options.version ?? 'unknown', '--version', 'print the version')
    .helpCommand(true)
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (text) => void io.stdout.write(text),
      writeErr: (text) => void io.stderr.write(text),
      outputError: (text, write) => write(`${formatUsageError(text)}\n`),
    })
    .showSuggestionAfterError(true)
    .exitOverride();
  const context: CliContext = {
    io,
    get verbose() {
      return program.opts<{ verbose?: boolean }>().verbose === true;
    },
    action: (handler) => async (...args) => {
      exitCode = await handler(...(args as never[]));
    },
  };
  for (const register of options.commands) register(program, context);
  addExitCodesToHelp(program);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return exitCode;
  } catch (error) {
    // Commander has already written its message (through outputError) or the help.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    for (const line of formatError(error, context.verbose)) note(io, line);
    return exitCodeFor(error);
  }
}

/** Every command's help ends with the exit codes, including commands registered later. */
function addExitCodesToHelp(command: Command): void {
  command.addHelpText('after', `\n${EXIT_CODES_HELP}`);
  for (const sub of command.commands) addExitCodesToHelp(sub);
}

/**
 * Commander's usage errors as one line. An unknown `--flag=value` is echoed by Commander with
 * its value, which may be a secret (a mistyped `--api-key=…`): the value is masked.
 */
export function formatUsageError(text: string): string {
  const message = text
    .replace(/^error:\s*/i, '')
    .replace(/'(--?[A-Za-z0-9-]+)=[^']*'/g, "'$1=…'")
    .replace(/\s*\n\s*/g, ' ')
    .trim();
  return `${PROGRAM}: ${message} (see --help)`;
}
