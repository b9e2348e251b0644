// An error reported by or about the function, in the shape the runtime reports it and Lambda logs
// it: what the Runtime API receives, the error trailers carry, and both doors pass on.

export interface FunctionError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
}
