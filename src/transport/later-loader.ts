/**
 * What a connection needs only after it is up (today the wake-up liveness probe) is a lazy
 * chunk, `later.ts`, so a page's first load stays small (issue #15's budget).
 * It starts loading the moment a socket opens, so a page that goes offline later already has
 * it. A failed load is forgotten (the next open, or the next need, loads again) and never
 * reaches the app as an error or an unhandled rejection.
 */
export type Later = typeof import('./later.js');

const importLater = (): Promise<Later> => import('./later.js');
let load: () => Promise<Later> = importLater;
let loading: Promise<Later> | undefined;
let loaded: Later | undefined;

/** The chunk if it has loaded: code that needs it then runs in the same turn, as before it was lazy. */
export function laterNow(): Later | undefined {
  return loaded;
}

/** The chunk, or undefined when it could not load (the next call loads again); never rejects. */
export async function loadLater(): Promise<Later | undefined> {
  loading ??= load().then(
    (module) => (loaded = module),
    (cause: unknown) => {
      loading = undefined;
      throw cause;
    },
  );
  try {
    return await loading;
  } catch {
    return undefined;
  }
}

/** Starts loading in the background (a socket opened); never rejects. */
export function prefetchLater(): void {
  if (loaded === undefined) void loadLater();
}

/**
 * Internal, for tests only: replaces how the chunk is imported (a loader that fails once, one
 * that counts its calls) and forgets what was loaded; without an argument, the real import.
 * @internal
 */
export function setLaterLoader(loader?: () => Promise<Later>): void {
  load = loader ?? importLater;
  loading = undefined;
  loaded = undefined;
}
