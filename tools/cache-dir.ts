// The folder the project's tools keep their caches in: under node_modules, with the other tools'
// caches (jest's excepted), so that nothing commits it and a fresh install starts without it.
// The `typecheck` script in package.json names the same folder for tsc's cache.

import * as path from "node:path";

export const CACHE_DIR = path.join(__dirname, "..", "node_modules", ".cache", "lambda-streaming");
