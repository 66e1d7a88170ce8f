/**
 * What `subscribe` and `events subscribe` share: connect, start the stream, print each item as
 * one JSON line until `--count`, the server's end or a stop request (Ctrl-C, SIGTERM, a closed
 * stdout), then close cleanly.
 */
import { EXIT, type ExitCode } from './exit-codes.js';
import { jsonLine, note, out, type CliIo } from './output.js';
import { exitCodeForStop, onStopRequest, type StopReason } from './signals.js';

export interface StreamingClient {
  connect(): Promise<void>;
  close(): Promise<void>;
}

export interface PrintStreamOptions<T> {
  /** Starts the stream; aborting `signal` stops it (sending stop/unsubscribe). */
  start(signal: AbortSignal): AsyncIterable<T> & { readonly started: Promise<void> };
  /** Said on stderr once the server acknowledged the stream (start_ack, subscribe_success). */
  startedNote: string;
  /** Stop after this many items. */
  count: number | undefined;
}

export async function printStream<T>(io: CliIo, client: StreamingClient, options: PrintStreamOptions<T>): Promise<ExitCode> {
  const controller = new AbortController();
  let stoppedBy: StopReason | undefined;
  const stopListening = onStopRequest(io, (reason) => {
    stoppedBy = reason;
    note(io, `stopping (${reason})`);
    // Aborting the stream stops it on the server (or, before it exists, ends the wait for connect).
    controller.abort();
  });
  try {
    // A stop during connect should not wait for the connect timeout: stop waiting, and let the
    // close below abandon the attempt (its late failure is of no interest then).
    const connecting = client.connect();
    connecting.catch(() => {});
    await Promise.race([connecting, aborted(controller.signal)]);
    if (stoppedBy !== undefined) return exitCodeForStop(stoppedBy);
    const items = options.start(controller.signal);
    // Not before the server says so: an invalid field is refused instead, and that is printed.
    items.started.then(
      () => {
        if (stoppedBy === undefined) note(io, options.startedNote);
      },
      () => {},
    );
    let received = 0;
    for await (const item of items) {
      out(io, jsonLine(item));
      received++;
      if (options.count !== undefined && received >= options.count) break;
    }
    if (stoppedBy !== undefined) return exitCodeForStop(stoppedBy);
    if (options.count === undefined || received < options.count) note(io, 'the server ended the subscription');
    return EXIT.OK;
  } finally {
    await client.close();
    stopListening();
  }
}

/** Resolves when `signal` aborts. */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
