/**
 * Stopping on request: Ctrl-C (SIGINT), SIGTERM, or a reader of stdout that went away (EPIPE,
 * e.g. `| head -n 3`). The first request starts a clean stop; a second signal exits at once,
 * because a user pressing Ctrl-C twice does not want to wait for the close handshake.
 */
import { EXIT, type ExitCode } from './exit-codes.js';
import type { CliIo } from './output.js';

export type StopReason = 'SIGINT' | 'SIGTERM' | 'EPIPE';

/**
 * The exit code after a clean stop: 130 after SIGINT, so that a shell script running the CLI
 * stops too (128 + 2, as if killed by the signal); 0 after SIGTERM (how service managers ask
 * for an ordinary stop) and after EPIPE (the reader had enough).
 */
export function exitCodeForStop(reason: StopReason): ExitCode {
  return reason === 'SIGINT' ? EXIT.INTERRUPTED : EXIT.OK;
}

/** Calls `onStop` once, at the first stop request; returns the function that stops listening. */
export function onStopRequest(io: CliIo, onStop: (reason: StopReason) => void): () => void {
  let stopping: StopReason | undefined;
  const handle = (reason: StopReason): void => {
    if (stopping !== undefined) {
      if (reason !== 'EPIPE') process.exit(exitCodeForStop(reason));
      return;
    }
    stopping = reason;
    onStop(reason);
  };
  const onSigint = (): void => handle('SIGINT');
  const onSigterm = (): void => handle('SIGTERM');
  const onStdoutError = (error: NodeJS.ErrnoException): void => {
    if (error.code === 'EPIPE') handle('EPIPE');
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  io.stdout.on('error', onStdoutError);
  let disposed = false;
  return () => {
    if (disposed) return;
    disposed = true;
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    io.stdout.off('error', onStdoutError);
  };
}
