// The README's "Call it from code" example: InvokeWithResponseStream with the AWS SDK, each chunk
// printed as it arrives: `node examples/stream-from-code.mjs` (AWS_ENDPOINT_URL_LAMBDA: npm start's).
import { InvokeWithResponseStreamCommand, LambdaClient } from "@aws-sdk/client-lambda";

const lambda = new LambdaClient({ region: process.env.AWS_REGION ?? "us-east-1" }); // the stack's region output
const { EventStream } = await lambda.send(
  new InvokeWithResponseStreamCommand({
    FunctionName: process.env.FUNCTION_NAME ?? "lambda-streaming", // the stack's function_name output
    Payload: JSON.stringify({ rawQueryString: "chunk=1&count=20&delay=100" }),
  }),
);
for await (const event of EventStream ?? []) {
  // {"statusCode":200,…} and 8 NUL bytes (the prelude), then each car as it is written
  if (event.PayloadChunk?.Payload) process.stdout.write(event.PayloadChunk.Payload);
  if (event.InvokeComplete?.ErrorCode) throw new Error(event.InvokeComplete.ErrorDetails);
}
