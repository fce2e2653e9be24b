// A single status line on a terminal, redrawn in place and no faster than the eye can follow.
import type { WriteStream } from 'node:tty';

export class ProgressLine {
  private readonly out: WriteStream;
  private last = 0;
  private shown = false;

  constructor(out: NodeJS.WriteStream) {
    this.out = out as WriteStream;
  }

  update(text: string): void {
    const now = performance.now();
    if (now - this.last < 100) return;
    this.last = now;
    const width = this.out.columns || 80;
    const fitted = text.length > width - 1 ? text.slice(0, width - 2) + '…' : text;
    this.out.write('\r\x1b[2K' + fitted);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.out.write('\r\x1b[2K');
    this.shown = false;
  }
}
