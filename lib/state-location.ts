// Where the stack keeps its Terraform state. Its own module, free of cdktf, so that tools such
// as `npm run invoke` can find the state without loading the stack.

/**
 * Where local state lives, relative to the stack's working folder (`cdktf.out/stacks/<name>`):
 * the project root. The JSON then holds no path of this machine, and deleting `cdktf.out`
 * never loses state.
 */
export function localStatePath(stackName: string): string {
  return `../../../terraform.${stackName}.tfstate`;
}

/**
 * Where the state of a deploy into the local AWS (`npm run deploy -- --local`) lives, relative to
 * its working folder (`cdktf.out.local-aws/stacks/<name>`): beside the real one at the project
 * root, under its own name, so that a local deploy never reads or writes the real deployment's.
 */
export function localAwsStatePath(stackName: string): string {
  return `../../../terraform.${stackName}.local-aws.tfstate`;
}

/** The state's key in the S3 bucket, when `TF_STATE_BUCKET` is set. */
export function s3StateKey(stackName: string): string {
  return `${stackName}/terraform.tfstate`;
}
