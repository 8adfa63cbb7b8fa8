/**
 * Runs `step` now and again: when kicked (kicks during a run coalesce into one more run) and when the
 * delay `step` answers has passed. A failing step is reported and tried again after `retryMs`.
 */
export class Loop {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private rerun = false
  private stopped = true

  constructor(
    private readonly step: () => Promise<number>,
    private readonly onError: (error: unknown) => void,
    private readonly retryMs: number,
    /** Runs start at least this far apart, so a burst of kicks (commits under load) shares one run. */
    private readonly minGapMs = 0,
  ) {}

  private lastStart = 0

  start(): void {
    this.stopped = false
    this.kick()
  }

  kick(): void {
    if (this.stopped) return
    if (this.running) {
      this.rerun = true
      return
    }
    const wait = this.lastStart + this.minGapMs - Date.now()
    if (wait > 0) {
      clearTimeout(this.timer)
      this.timer = setTimeout(() => this.kick(), wait)
      return
    }
    clearTimeout(this.timer)
    this.lastStart = Date.now()
    this.running = this.run().finally(() => {
      this.running = undefined
    })
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    await this.running
  }

  private async run(): Promise<void> {
    let delay = this.retryMs
    do {
      this.rerun = false
      try {
        delay = await this.step()
      } catch (error) {
        this.onError(error)
        delay = this.retryMs
      }
    } while (this.rerun && !this.stopped)
    if (!this.stopped) {
      this.timer = setTimeout(() => this.kick(), Math.max(0, delay))
      this.timer.unref()
    }
  }
}
