// CSV output (RFC 4180 quoting): a field holding a comma, a double quote, CR or LF is quoted, with its double
// quotes doubled. Records end with LF rather than the RFC's CRLF, as Unix tools expect; RFC 4180 readers
// (Python's csv, spreadsheets) accept both.

export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The header line and one line per row, each ending with "\n". */
export function renderCsv(headers: string[], rows: string[][]): string {
  return [headers, ...rows].map((r) => r.map(csvField).join(',') + '\n').join('');
}
