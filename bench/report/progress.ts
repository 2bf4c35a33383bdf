/**
 * The live status line: on a terminal, one line rewritten in place ("[2/6] layerNorm 128×768 ·
 * gpu timing · 3.1 s"); finished cases print as permanent lines above it. Not a terminal (CI,
 * a pipe): only the permanent lines.
 */
export class ProgressLine {
  private shown = false;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  private get live(): boolean {
    return this.stream.isTTY === true;
  }

  /** Replaces the status line (no-op when not a terminal). */
  status(text: string): void {
    if (!this.live) return;
    const columns = this.stream.columns || 100;
    this.stream.write(`\r\x1b[2K${[...text].slice(0, columns - 1).join('')}`);
    this.shown = true;
  }

  /** Clears the status line. */
  clear(): void {
    if (this.live && this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }

  /** Prints a permanent line to stdout, above the status line. */
  line(text: string): void {
    this.clear();
    process.stdout.write(text + '\n');
  }
}
