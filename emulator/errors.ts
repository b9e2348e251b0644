// Errors of the local Function URL, and the JSON shapes AWS uses to report them.

/** `{ errorType, errorMessage }`: the Runtime API's error body. */
export interface RuntimeApiErrorBody {
  readonly errorType: string;
  readonly errorMessage: string;
}

/** An error reported by or about the function: what Lambda logs and the trailers carry. */
export interface FunctionError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
}

/** A bad command-line flag or value: the CLI prints the message and exits with code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The synthesized stack cannot be served: it lacks a function, a URL or a bundle. */
export class StackReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackReadError";
  }
}

/** The runtime interface client or the Node.js 22 binary is not installed. */
export class RuntimeMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RuntimeMissingError";
  }
}

/** Builds the Runtime API's error body. */
export function runtimeApiError(errorType: string, errorMessage: string): RuntimeApiErrorBody {
  return { errorType, errorMessage };
}
