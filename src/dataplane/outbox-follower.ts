import type { Db } from '../store/database.ts'
import { eventSeqsAfter, lastEventSeq } from '../store/repos/events.ts'

/**
 * Watches the events outbox as a wake-up signal: `changed()` answers true when an event this follower
 * has not seen has become visible. On PostgreSQL a transaction takes its seq before it commits, so a
 * smaller seq can appear after a larger one; the follower re-reads a window below its cursor and
 * remembers which seqs it has seen there, so a late commit still wakes it.
 */
export class OutboxFollower {
  private cursor = 0
  private readonly seen = new Set<number>()

  constructor(
    private readonly db: Db,
    /** How far below the cursor late commits are looked for (0 where commits are serialised, as on SQLite). */
    private readonly gapWindow: number,
  ) {}

  /** Starts from the outbox's end: the caller reconciles from table state right after. */
  async start(): Promise<void> {
    this.cursor = await lastEventSeq(this.db)
    for (const seq of await eventSeqsAfter(this.db, Math.max(0, this.cursor - this.gapWindow), this.gapWindow + 1)) this.seen.add(seq)
  }

  async changed(): Promise<boolean> {
    const from = Math.max(0, this.cursor - this.gapWindow)
    const seqs = await eventSeqsAfter(this.db, from, this.gapWindow + 1000)
    let fresh = false
    for (const seq of seqs) {
      if (this.seen.has(seq)) continue
      fresh = true
      if (this.gapWindow > 0) this.seen.add(seq)
      if (seq > this.cursor) this.cursor = seq
    }
    for (const seq of this.seen) if (seq <= this.cursor - this.gapWindow) this.seen.delete(seq)
    return fresh
  }
}
