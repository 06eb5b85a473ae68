/** Progress on stderr: a redrawn bar on a terminal, a line every tenth otherwise. */
export function bar(done: number, total: number): void {
  if (!process.stderr.isTTY && done !== total && done % Math.max(1, Math.floor(total / 10)) !== 0) return;
  const width = 30;
  const filled = Math.round((done / Math.max(1, total)) * width);
  const line = `[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}`;
  process.stderr.write(process.stderr.isTTY ? `\r${line}${done === total ? '\n' : ''}` : `${line}\n`);
}
