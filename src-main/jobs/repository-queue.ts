// Never two jobs on one repository at once. A job waits until every repository it needs is free
// and takes them all at once (a copy holds two), so jobs cannot deadlock holding one each. Waiting
// jobs keep their turn: a later job may not take a repository an earlier waiting job needs, so a
// stream of small jobs cannot starve a copy.
export class RepositoryQueue {
  private readonly held = new Set<string>();
  private waiting: { jobId: string; repositoryIds: string[]; start: () => void }[] = [];

  enqueue(jobId: string, repositoryIds: string[], start: () => void): void {
    this.waiting.push({ jobId, repositoryIds: [...new Set(repositoryIds)], start });
    this.pump();
  }

  /** Takes a waiting job out of the queue; false if it is not waiting (already started or gone). */
  remove(jobId: string): boolean {
    const before = this.waiting.length;
    this.waiting = this.waiting.filter((w) => w.jobId !== jobId);
    if (this.waiting.length === before) return false;
    this.pump();
    return true;
  }

  release(repositoryIds: string[]): void {
    for (const id of repositoryIds) this.held.delete(id);
    this.pump();
  }

  isHeld(repositoryId: string): boolean {
    return this.held.has(repositoryId);
  }

  private pump(): void {
    const reserved = new Set<string>();
    const ready: (() => void)[] = [];
    for (const w of [...this.waiting]) {
      if (w.repositoryIds.every((id) => !this.held.has(id) && !reserved.has(id))) {
        for (const id of w.repositoryIds) this.held.add(id);
        this.waiting = this.waiting.filter((x) => x !== w);
        ready.push(w.start);
      } else {
        for (const id of w.repositoryIds) reserved.add(id);
      }
    }
    // Started after the bookkeeping, so a start that finishes synchronously sees a consistent queue.
    for (const start of ready) start();
  }
}
