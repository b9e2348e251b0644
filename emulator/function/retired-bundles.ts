// --watch writes a bundle folder under .build/ for each rebuild; this removes each one no version
// being served needs any more. An environment on an older version runs until its invocation
// ends (the pool retires it then), so older folders go only once nothing is in flight or
// starting; until then they are checked again every second. Only folders this process wrote,
// and no other has taken up since, are removed (lib/bundle-store.ts).

import { removeWrittenBundles } from "../../lib/bundle-store";
import type { FunctionConfig } from "../common/function-config";

/** What the tracker reads of the environment pool. */
export interface PoolView {
  readonly function: FunctionConfig;
  stats(): { readonly inFlight: number; readonly starting: number };
}

export interface RetiredBundles {
  /** Call after each reload: the versions before it are removed once nothing can run them. */
  reloaded(): void;
  /** Stops checking; after the pool has closed, removes every older version's folder. */
  close(): void;
}

export function trackRetiredBundles(
  pool: PoolView,
  options: { readonly recheckMs?: number; readonly onRemoved?: (dirs: readonly string[]) => void } = {},
): RetiredBundles {
  let timer: NodeJS.Timeout | undefined;
  /** Every folder served so far: the current version's and the older ones not yet removed. */
  const served = new Set([pool.function.bundleDir]);

  const removeNow = (): void => {
    const current = pool.function.bundleDir;
    const older = [...served].filter((dir) => dir !== current);
    served.clear();
    served.add(current);
    const removed = removeWrittenBundles(older);
    if (removed.length > 0) options.onRemoved?.(removed);
  };

  const check = (): void => {
    timer = undefined;
    const { inFlight, starting } = pool.stats();
    // An invocation in flight, or an environment starting, may be on an older version.
    if (inFlight > 0 || starting > 0) {
      timer = setTimeout(check, options.recheckMs ?? 1_000);
      timer.unref();
      return;
    }
    removeNow();
  };

  return {
    reloaded() {
      served.add(pool.function.bundleDir);
      clearTimeout(timer);
      check();
    },
    close() {
      clearTimeout(timer);
      timer = undefined;
      removeNow();
    },
  };
}
