// Starts AWS's runtime interface client the way Lambda's Node.js runtime does: load the handler
// named by _HANDLER from LAMBDA_TASK_ROOT, then loop on the Runtime API at AWS_LAMBDA_RUNTIME_API.
// The client installs the `awslambda` global (streamifyResponse, HttpResponseStream) itself.
import { run } from "aws-lambda-ric";

await run(process.env.LAMBDA_TASK_ROOT, process.env._HANDLER);
