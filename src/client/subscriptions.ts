import { pathOf, type Transport } from './transport.ts'

/** A webhook subscription to connection events (vpcep extension; docs/events.md). */
export interface EventSubscription {
  id: string
  name: string
  url: string
  event_types: string[]
  resource_type: 'endpoint_service' | 'endpoint'
  resource_id: string | null
  enabled: boolean
  description: string
  created_at: string
  updated_at: string
}

export interface NewEventSubscription {
  name?: string
  url: string
  event_types: string[]
  resource_type: 'endpoint_service' | 'endpoint'
  resource_id?: string | null
  enabled?: boolean
  description?: string
}

export interface EventDelivery {
  id: string
  subscription_id: string
  event_id: string
  event_type: string
  status: 'pending' | 'delivered' | 'dead'
  attempts: number
  next_attempt_at: string | null
  last_attempt_at: string | null
  last_status_code: number | null
  last_error: string | null
  response_excerpt: string | null
  created_at: string
  delivered_at: string | null
  event: Record<string, unknown>
}

export interface PageParams {
  limit?: number
  offset?: number
}

/** Subscriptions and their deliveries, under `/vpcep-ext/v1/{project_id}`. */
export class SubscriptionsApi {
  constructor(
    private readonly transport: Transport,
    private readonly projectId: string,
  ) {}

  private get base(): string {
    return pathOf`/vpcep-ext/v1/${this.projectId}`
  }

  private async call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, query?: Record<string, string | number | undefined>): Promise<T> {
    return (await this.transport.request<T>({ method, path: `${this.base}${path}`, body, query, projectId: this.projectId })).body
  }

  /** CreateEventSubscription: answers the subscription and its signing secret (shown only here). */
  create(subscription: NewEventSubscription): Promise<{ subscription: EventSubscription; secret: string }> {
    return this.call('POST', '/subscriptions', { subscription })
  }

  list(query: PageParams = {}): Promise<{ subscriptions: EventSubscription[]; total_count: number }> {
    return this.call('GET', '/subscriptions', undefined, { ...query })
  }

  show(id: string): Promise<{ subscription: EventSubscription }> {
    return this.call('GET', pathOf`/subscriptions/${id}`)
  }

  update(id: string, changes: Partial<Pick<NewEventSubscription, 'name' | 'url' | 'event_types' | 'enabled' | 'description'>>): Promise<{ subscription: EventSubscription }> {
    return this.call('PUT', pathOf`/subscriptions/${id}`, { subscription: changes })
  }

  async delete(id: string): Promise<void> {
    await this.call('DELETE', pathOf`/subscriptions/${id}`)
  }

  rotateSecret(id: string): Promise<{ subscription: EventSubscription; secret: string }> {
    return this.call('POST', pathOf`/subscriptions/${id}/rotate-secret`)
  }

  deliveries(query: PageParams & { subscription_id?: string; status?: EventDelivery['status'] } = {}): Promise<{ deliveries: EventDelivery[]; total_count: number }> {
    return this.call('GET', '/deliveries', undefined, { ...query })
  }

  delivery(id: string): Promise<{ delivery: EventDelivery }> {
    return this.call('GET', pathOf`/deliveries/${id}`)
  }

  redeliver(id: string): Promise<{ delivery: EventDelivery }> {
    return this.call('POST', pathOf`/deliveries/${id}/redeliver`)
  }
}
