// Plain-text tables for the terminal: each column as wide as its widest cell, two spaces apart,
// no trailing blanks. Stage names and hashes are ASCII, so string length is display width.

export function alignColumns(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd());
}
