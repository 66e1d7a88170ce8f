/**
 * `--watch`: notices changes to a set of files and calls back once per burst of changes. It
 * watches the files' folders rather than the files, since editors often save by writing a new
 * file and renaming it over the old one (a watch on the file itself would end there). One
 * `fs.watch` per folder and one debounce timer, all ended by `close()`.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

export interface FileWatcher {
  /** Watches these files from now on (the set a reload found), instead of the previous ones. */
  update(files: readonly string[]): void;
  close(): void;
}

/**
 * Calls `changed` `debounceMs` after the last change to any of `files` (a burst of saves is one
 * call). `changed` runs at most once at a time: changes during a call bring one more call after it.
 */
export function watchFiles(files: readonly string[], changed: () => Promise<void>, debounceMs = 100): FileWatcher {
  const watchers = new Map<string, FSWatcher>();
  let wanted = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  let closed = false;

  const fire = (): void => {
    timer = undefined;
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    void changed()
      .catch(() => {})
      .finally(() => {
        running = false;
        if (again && !closed) {
          again = false;
          fire();
        }
      });
  };
  const schedule = (): void => {
    if (closed) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(fire, debounceMs);
  };
  const update = (next: readonly string[]): void => {
    wanted = new Set(next.map((f) => resolve(f)));
    const folders = new Set([...wanted].map((f) => dirname(f)));
    for (const [folder, watcher] of watchers) {
      if (!folders.has(folder)) {
        watcher.close();
        watchers.delete(folder);
      }
    }
    for (const folder of folders) {
      if (watchers.has(folder)) continue;
      const watcher = watch(folder, (_event, name) => {
        // Some platforms give no name: then any change in the folder counts.
        if (name === null || [...wanted].some((f) => dirname(f) === folder && basename(f) === String(name))) schedule();
      });
      // A folder that goes away ends its watch; the next update watches it again if it is back.
      watcher.on('error', () => {
        watcher.close();
        watchers.delete(folder);
      });
      watchers.set(folder, watcher);
    }
  };
  update(files);
  return {
    update,
    close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
