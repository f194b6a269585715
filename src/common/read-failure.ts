// Why a file could not be read, as the end of a one-line error (`cannot read orders.ndjson: no such file`):
// the two a user meets most in words, any other by its code (EACCES), else the error's message.

export function whyUnreadable(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  return code ?? (err as Error).message;
}
