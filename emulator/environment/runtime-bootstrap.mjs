// Starts AWS's runtime interface client the way Lambda's Node.js runtime does: load the handler
// named by _HANDLER from LAMBDA_TASK_ROOT, then loop on the Runtime API at AWS_LAMBDA_RUNTIME_API.
// The client installs the `awslambda` global (streamifyResponse, HttpResponseStream) itself.
// Arguments: `node <bundle>` redirects the client's `require("./rapid-client.node")` (its compiled
// transport) to this project's transport bundle, with a module resolution hook; `native` keeps it.
import { registerHooks } from "node:module";
import { Socket } from "node:net";
import { pathToFileURL } from "node:url";

// Nothing outlives the local server: it holds the other end of the pipe on fd 3, and when that
// end closes (the server stopped, crashed, or was killed with SIGKILL) this process ends its whole
// process group, so whatever the handler started ends too. Unreferenced: it never keeps the event
// loop alive (the runtime client's callbackWaitsForEmptyEventLoop depends on the loop emptying).
try {
  const lifeline = new Socket({ fd: 3, readable: true, writable: false });
  const endGroup = () => {
    try {
      process.kill(-process.pid, "SIGKILL");
    } catch {
      process.exit(1);
    }
  };
  lifeline.once("end", endGroup);
  lifeline.once("close", endGroup);
  lifeline.once("error", endGroup);
  lifeline.resume();
  lifeline.unref();
} catch {
  // Started without the lifeline (by hand, for debugging): nothing to watch.
}

// Taken off argv, so that the function sees the argv Lambda gives it.
const [transport, bundle] = process.argv.splice(2, 2);
if (transport === "node") {
  const client = import.meta.resolve("aws-lambda-ric");
  const replacement = pathToFileURL(bundle).href;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (specifier === "./rapid-client.node" && context.parentURL === client) {
        return { url: replacement, format: "commonjs", shortCircuit: true };
      }
      return nextResolve(specifier, context);
    },
  });
} else if (transport !== "native") {
  throw new Error(`runtime-bootstrap.mjs: the transport is "${transport}"; pass node <bundle> or native`);
}

const { run } = await import("aws-lambda-ric");
await run(process.env.LAMBDA_TASK_ROOT, process.env._HANDLER);
