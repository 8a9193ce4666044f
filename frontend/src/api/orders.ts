/**
 * order-service: orders created by a won auction or a purchase, their escrow, disputes and
 * feedback.
 *
 * Placeholder until the order-service issue lands: only the base path and the shapes of the
 * resources the design brief names. Amounts are bigint koinu, decoded with parseKoinu.
 */
import type { IsoDateTime } from './http'

export const ORDERS_BASE_PATH = '/api/v1/order/'

export type OrderStatus =
  | 'awaiting_payment'
  | 'paid'
  | 'shipped'
  | 'completed'
  | 'disputed'
  | 'refunded'

export interface Order {
  id: string
  listing_id: string
  buyer_id: string
  seller_id: string
  status: OrderStatus
  price_koinu: bigint
  /** Platform fee taken from the price when escrow is released to the seller. */
  fee_koinu: bigint
  tracking_number: string | null
  /** When escrow releases to the seller if the buyer neither confirms nor disputes. */
  auto_release_at: IsoDateTime | null
  created_at: IsoDateTime
}

export type DisputeResolution = 'refund' | 'release' | 'split'

export interface Dispute {
  id: string
  order_id: string
  reason: string
  resolution: DisputeResolution | null
  opened_at: IsoDateTime
}

export type FeedbackRating = 'positive' | 'neutral' | 'negative'

export interface Feedback {
  id: string
  order_id: string
  from_user_id: string
  to_user_id: string
  rating: FeedbackRating
  comment: string
  created_at: IsoDateTime
}
