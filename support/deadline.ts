// Small waiting helpers shared by the local Lambda's modules: every wait has a deadline, and its
// timer is cleared however the wait ends.

/** What `promise` resolves to, or undefined once `ms` pass first. */
export async function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    promise,
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
    }),
  ]);
  clearTimeout(timer);
  return result;
}
