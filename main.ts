// `cdktf synth` runs this: read the configuration, build the stack, synthesize.
import { App } from "cdktf";
import { ConfigError, readConfig, type StackConfig } from "./lib/config";
import { LambdaStreamingStack } from "./lib/lambda-streaming-stack";

let config: StackConfig;
try {
  config = readConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) {
    throw error;
  }
  // Before `new App()`, which creates the output folder: a bad value leaves nothing behind.
  console.error(error.message);
  process.exit(1);
}
const app = new App();
new LambdaStreamingStack(app, config);
app.synth();
