// A deadline for a wait in a test: the wait fails with a reason instead of hanging the suite.

/** `promise`, or a failure saying what did not happen once `ms` pass without it settling. */
export async function within<T>(ms: number, promise: Promise<T>, what = "answer"): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
