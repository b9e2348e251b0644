// Tags as Lambda, CloudWatch Logs and CloudFront keep them: a map of names to values.

/** `tags` without the names in `keys` (an untag call), as a new map. */
export function withoutTags(tags: Readonly<Record<string, string>>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).filter(([name]) => !keys.includes(name)));
}
