import { randomUUID } from 'node:crypto'
import type { Store } from '../store/database.ts'
import { claimDueDeliveries, nextDeliveryDue, settleAttempt, subscriptionTargets, type AttemptOutcome, type ClaimedDelivery } from '../store/repos/subscriptions.ts'
import { toStoredTime, type Clock } from '../domain/clock.ts'
import type { WebhookSettings } from '../config.ts'
import { SIGNATURE_HEADER, signatureHeader } from './signing.ts'
import { WebhookSender } from './sender.ts'

export interface WorkerLogger {
  warn(details: object, message: string): void
  error(details: object, message: string): void
}

/** Exponential backoff with jitter: after attempt n, wait between half and all of base·2^(n-1), capped. */
export function backoffMs(settings: Pick<WebhookSettings, 'backoffMs' | 'backoffMaxMs'>, attempt: number, random = Math.random): number {
  const ceiling = Math.min(settings.backoffMaxMs, settings.backoffMs * 2 ** Math.min(attempt - 1, 30))
  return Math.round(ceiling / 2 + random() * (ceiling / 2))
}

/**
 * Sends queued deliveries: claims due ones (each leased to this worker for one attempt), POSTs them
 * signed, at most `concurrency` at once, and records each outcome: delivered, due again after a backoff,
 * or a dead letter after the last attempt. A worker that dies mid-attempt loses nothing: the lease ends
 * and any instance's worker takes the delivery up again (at least once: the receiver may see it twice,
 * with the same CloudEvent id).
 */
export class DeliveryWorker {
  readonly owner = randomUUID()
  private inFlight = 0
  private readonly attempts = new Set<Promise<void>>()
  private readonly sender: WebhookSender

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly settings: WebhookSettings,
    private readonly logger: WorkerLogger,
    /** Called when an attempt finishes, so the loop can fill the freed slot. */
    private readonly onSlotFree: () => void,
  ) {
    this.sender = new WebhookSender(settings.addresses, settings.timeoutMs, settings.concurrency)
  }

  /** A lease outlasts the longest attempt with room to record its outcome. */
  private get leaseMs(): number {
    return this.settings.timeoutMs * 3 + 1000
  }

  /** Starts attempts for due deliveries in the free slots; answers the wait until the next is due. */
  async pump(): Promise<number> {
    const free = this.settings.concurrency - this.inFlight
    if (free > 0) {
      const now = this.clock.now()
      const claimed = await this.store.transaction((tx) =>
        claimDueDeliveries(tx, this.store.dialect, toStoredTime(now), toStoredTime(new Date(now.getTime() + this.leaseMs)), this.owner, Math.min(free, 100)),
      )
      if (claimed.length > 0) {
        const targets = new Map((await subscriptionTargets(this.store.db, [...new Set(claimed.map((c) => c.subscriptionId))])).map((t) => [t.id, t]))
        for (const delivery of claimed) this.begin(delivery, targets.get(delivery.subscriptionId))
        if (claimed.length === Math.min(free, 100) && this.inFlight < this.settings.concurrency) return 0
      }
    }
    const next = await nextDeliveryDue(this.store.db)
    if (next === undefined) return this.settings.pollMs
    return Math.min(this.settings.pollMs, Math.max(1, Date.parse(next) - this.clock.now().getTime()))
  }

  private begin(delivery: ClaimedDelivery, target: { url: string; secret: string; enabled: number } | undefined): void {
    this.inFlight++
    const attempt = this.attempt(delivery, target)
      .catch((error: unknown) => this.logger.error({ err: error, delivery: delivery.id }, 'recording a webhook attempt failed; its lease will end and it will be tried again'))
      .finally(() => {
        this.inFlight--
        this.attempts.delete(attempt)
        this.onSlotFree()
      })
    this.attempts.add(attempt)
  }

  private async attempt(delivery: ClaimedDelivery, target: { url: string; secret: string; enabled: number } | undefined): Promise<void> {
    if (!target) return // deleted meanwhile; its deliveries went with it
    let outcome: AttemptOutcome
    try {
      const timestamp = Math.floor(this.clock.now().getTime() / 1000)
      const answer = await this.sender.post(target.url, delivery.body, {
        'content-type': 'application/cloudevents+json; charset=utf-8',
        'user-agent': 'vpcep-webhooks/1',
        [SIGNATURE_HEADER]: signatureHeader(this.store.secrets.open(target.secret), timestamp, delivery.body),
        'vpcep-delivery': delivery.id,
        'vpcep-attempt': String(delivery.attempts),
      })
      const ok = answer.statusCode >= 200 && answer.statusCode < 300
      outcome = { statusCode: answer.statusCode, error: ok ? null : `HTTP ${answer.statusCode}`, excerpt: answer.excerpt || null }
      if (ok) {
        await this.settle({ id: delivery.id, owner: this.owner, attempts: delivery.attempts }, { ...outcome, status: 'delivered', at: toStoredTime(this.clock.now()) })
        return
      }
    } catch (error) {
      outcome = { statusCode: null, error: String((error as Error).message ?? error).slice(0, 256), excerpt: null }
    }
    const claim = { id: delivery.id, owner: this.owner, attempts: delivery.attempts }
    if (delivery.attempts >= this.settings.maxAttempts) {
      await this.settle(claim, { ...outcome, status: 'dead' })
      this.logger.warn({ delivery: delivery.id, subscription: delivery.subscriptionId, attempts: delivery.attempts, error: outcome.error }, 'webhook delivery gave up: dead letter')
      return
    }
    const nextAttemptAt = toStoredTime(new Date(this.clock.now().getTime() + backoffMs(this.settings, delivery.attempts)))
    await this.settle(claim, { ...outcome, status: 'pending', nextAttemptAt })
  }

  /** Through store.transaction, so on SQLite outcomes recorded together share one durable commit. */
  private settle(...args: Parameters<typeof settleAttempt> extends [unknown, ...infer Rest] ? Rest : never): Promise<boolean> {
    return this.store.transaction((tx) => settleAttempt(tx, ...args))
  }

  /**
   * Ends attempts under way at once (their connections are closed; each is recorded as a failed attempt,
   * or, if the database is already gone, its lease ends and it is tried again) and waits for them.
   */
  async stop(): Promise<void> {
    this.sender.close()
    await Promise.all([...this.attempts])
  }
}
