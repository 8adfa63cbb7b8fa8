import type { Store } from '../store/database.ts'
import type { Clock } from '../domain/clock.ts'
import type { IdSource } from '../domain/ids.ts'
import type { WebhookSettings } from '../config.ts'
import { Dispatcher } from './dispatcher.ts'
import { DeliveryWorker, type WorkerLogger } from './worker.ts'
import { Loop } from '../jobs/loop.ts'
import { pruneDelivered } from '../store/repos/subscriptions.ts'
import { toStoredTime } from '../domain/clock.ts'

/** While another instance holds the dispatch cursor, how soon to try again. */
const BUSY_RETRY_MS = 25
const PRUNE_EVERY_MS = 60_000
/** Under load, commits come faster than dispatch passes are worth: at most one pass per this long. */
const DISPATCH_GAP_MS = 5

/**
 * Event delivery in one instance: the dispatcher follows the outbox (woken by this process's commits
 * that wrote events, and by polling for other instances'), the worker sends what it queued and whatever
 * else is due. Nothing here runs inside an API request.
 */
export class EventDelivery {
  private readonly dispatcher: Dispatcher
  private readonly worker: DeliveryWorker
  private readonly dispatchLoop: Loop
  private readonly workerLoop: Loop
  private unsubscribe: (() => void) | undefined
  private lastPruneMs = 0
  /** Whether any subscription is enabled, as last read (undefined: read it on the next pass). */
  private anySubscribed: boolean | undefined
  private anySubscribedAtMs = 0

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    ids: IdSource,
    region: string,
    private readonly settings: WebhookSettings,
    logger: WorkerLogger,
    /** Delivered deliveries are kept this long (the outbox's retention), then dropped. */
    private readonly retentionMs = 7 * 24 * 3600 * 1000,
  ) {
    this.dispatcher = new Dispatcher(store, clock, ids, region)
    this.worker = new DeliveryWorker(store, clock, settings, logger, () => this.workerLoop.kick())
    this.dispatchLoop = new Loop(() => this.dispatch(), (error) => logger.error({ err: error }, 'event dispatch failed; will retry'), settings.pollMs, DISPATCH_GAP_MS)
    // Slots freed within a few milliseconds of each other are refilled by one claim (one commit).
    this.workerLoop = new Loop(() => this.worker.pump(), (error) => logger.error({ err: error }, 'webhook worker failed; will retry'), settings.pollMs, DISPATCH_GAP_MS)
  }

  start(): void {
    // With no subscription anywhere there is nothing to queue: commits then wait for the next poll,
    // which still advances the cursor, instead of each costing a dispatch pass.
    this.unsubscribe = this.store.onOutboxCommit(() => {
      if (this.anySubscribed !== false) this.dispatchLoop.kick()
    })
    this.dispatchLoop.start()
    this.workerLoop.start()
  }

  /** Something was queued or made due outside the dispatcher (a redelivery): send it now. */
  wake(): void {
    this.workerLoop.kick()
  }

  /** A subscription was created or changed in this instance: follow commits closely again. */
  subscriptionsChanged(): void {
    this.anySubscribed = undefined
    this.dispatchLoop.kick()
  }

  async stop(): Promise<void> {
    this.unsubscribe?.()
    await this.dispatchLoop.stop()
    await this.workerLoop.stop()
    await this.worker.stop()
  }

  private async dispatch(): Promise<number> {
    const nowMs = this.clock.now().getTime()
    if (nowMs - this.lastPruneMs >= PRUNE_EVERY_MS) {
      this.lastPruneMs = nowMs
      await pruneDelivered(this.store.db, toStoredTime(new Date(nowMs - this.retentionMs)), 5000)
    }
    if (this.anySubscribed === undefined || nowMs - this.anySubscribedAtMs >= this.settings.pollMs) {
      this.anySubscribedAtMs = nowMs
      this.anySubscribed = (await this.store.db.selectFrom('eventSubscriptions').select('id').where('enabled', '=', 1).limit(1).executeTakeFirst()) !== undefined
    }
    for (;;) {
      const result = await this.dispatcher.dispatchOnce()
      if (result === 'busy') return BUSY_RETRY_MS
      if (result.queued > 0) this.workerLoop.kick()
      if (result.read < this.dispatcher.batchSize) return this.settings.pollMs
    }
  }
}
