// Timestamps as evt prints them: UTC, like the rest of its output.

/** hh:mm:ss.mmm (or hh:mm:ss) of a timestamp, in UTC like the rest of evt's output. */
export function clockTime(at: number, millis = true): string {
  return new Date(at).toISOString().slice(11, millis ? 23 : 19);
}
