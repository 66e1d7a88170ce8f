/** Starting child processes with an IPC channel and waiting for their messages. */
import { fork } from 'node:child_process';

export function start(script, args = [], { execArgv = [], env } = {}) {
  const child = fork(script, args, { execArgv, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const queue = [];
  const waiters = [];
  child.on('message', (message) => {
    const waiter = waiters.shift();
    if (waiter) waiter.resolve(message);
    else queue.push(message);
  });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  exited.then(({ code, signal }) => {
    for (const waiter of waiters.splice(0)) waiter.reject(new Error(`${script} ${args.join(' ')} exited (${code ?? signal}) before answering`));
  });
  return {
    child,
    exited,
    send: (message) => child.send(message),
    next(timeoutMs = 120_000) {
      if (queue.length > 0) return Promise.resolve(queue.shift());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${script} ${args.join(' ')}: no answer within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ resolve: (m) => (clearTimeout(timer), resolve(m)), reject: (e) => (clearTimeout(timer), reject(e)) });
      });
    },
  };
}

/** Runs a child to completion and returns its single result message. */
export async function run(script, args = [], options = {}) {
  const handle = start(script, args, options);
  const result = await handle.next(options.timeoutMs);
  await handle.exited;
  if (result.type === 'error') throw new Error(`${script} ${args.join(' ')}: ${result.message}`);
  return result;
}
