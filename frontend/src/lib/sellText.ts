/**
 * Words and small rules of the seller's pages: condition and state labels, what a draft still
 * needs, which actions a listing's state allows (listing-service's rules: a draft or scheduled
 * listing takes any change, an active one keeps its format and timing, an auction with bids its
 * prices; ended, sold, cancelled and withdrawn listings cannot change), the fee arithmetic, and
 * the API's `param` → the sell form's field.
 */
import { ApiError } from '@/api/http'
import type {
  ListingCondition,
  ListingFees,
  ListingStatus,
  MissingForPublish,
  SellerListingDetail,
} from '@/api/listingsSeller'
import { t } from '@/i18n'

import type { StatusTone } from './walletText'

export function conditionLabel(condition: ListingCondition | ''): string {
  switch (condition) {
    case 'new':
      return t('sellText.conditionNew')
    case 'like_new':
      return t('sellText.conditionLikeNew')
    case 'very_good':
      return t('sellText.conditionVeryGood')
    case 'good':
      return t('sellText.conditionGood')
    case 'acceptable':
      return t('sellText.conditionAcceptable')
    case 'for_parts':
      return t('sellText.conditionForParts')
    case '':
      return t('sellText.conditionNone')
  }
}

export function listingStatusLabel(status: ListingStatus): { label: string; tone: StatusTone } {
  switch (status) {
    case 'draft':
      return { label: t('sellText.statusDraft'), tone: 'neutral' }
    case 'scheduled':
      return { label: t('sellText.statusScheduled'), tone: 'warning' }
    case 'active':
      return { label: t('sellText.statusActive'), tone: 'success' }
    case 'ended':
      return { label: t('sellText.statusEnded'), tone: 'neutral' }
    case 'sold':
      return { label: t('sellText.statusSold'), tone: 'success' }
    case 'cancelled':
      return { label: t('sellText.statusCancelled'), tone: 'neutral' }
    case 'withdrawn':
      return { label: t('sellText.statusWithdrawn'), tone: 'danger' }
  }
}

export function missingLabel(missing: MissingForPublish): string {
  switch (missing) {
    case 'title':
      return t('sellText.missingTitle')
    case 'description':
      return t('sellText.missingDescription')
    case 'category_id':
      return t('sellText.missingCategory')
    case 'condition':
      return t('sellText.missingCondition')
    case 'price':
      return t('sellText.missingPrice')
    case 'duration_days':
      return t('sellText.missingDuration')
    case 'shipping_options':
      return t('sellText.missingShipping')
    case 'location':
      return t('sellText.missingLocation')
  }
}

/** The step of the sell form where a missing requirement is filled in. */
export function missingStep(missing: MissingForPublish): SellStep {
  switch (missing) {
    case 'category_id':
      return 'category'
    case 'title':
    case 'description':
    case 'condition':
      return 'details'
    case 'price':
    case 'duration_days':
      return 'price'
    case 'shipping_options':
    case 'location':
      return 'shipping'
  }
}

export const SELL_STEPS = ['category', 'photos', 'details', 'price', 'shipping', 'review'] as const
export type SellStep = (typeof SELL_STEPS)[number]

export function sellStepLabel(step: SellStep): string {
  switch (step) {
    case 'category':
      return t('sellText.stepCategory')
    case 'photos':
      return t('sellText.stepPhotos')
    case 'details':
      return t('sellText.stepDetails')
    case 'price':
      return t('sellText.stepPrice')
    case 'shipping':
      return t('sellText.stepShipping')
    case 'review':
      return t('sellText.stepReview')
  }
}

/** What the seller may do with a listing in this state (the server checks again). */
export interface ListingActions {
  canEdit: boolean
  canContinueDraft: boolean
  /** An active listing without bids can be ended early. */
  canEnd: boolean
  /** A draft or a scheduled listing can be cancelled. */
  canCancel: boolean
  /** Format, duration, end time and start: only before the listing starts. */
  canChangeTiming: boolean
  /** Prices: not once an auction has bids. */
  canChangePrices: boolean
}

export function listingActions(listing: Pick<SellerListingDetail, 'status' | 'format' | 'bid_count'>): ListingActions {
  const hasBids = listing.format === 'auction' && listing.bid_count > 0
  const isOpen = listing.status === 'draft' || listing.status === 'scheduled' || listing.status === 'active'
  return {
    canEdit: listing.status === 'scheduled' || listing.status === 'active',
    canContinueDraft: listing.status === 'draft',
    canEnd: listing.status === 'active' && !hasBids,
    canCancel: listing.status === 'draft' || listing.status === 'scheduled',
    canChangeTiming: listing.status === 'draft' || listing.status === 'scheduled',
    canChangePrices: isOpen && !hasBids,
  }
}

/** The final value fee on a sale at `price` (basis points, rounded down to a whole koinu). */
export function finalValueFee(fees: Pick<ListingFees, 'final_value_fee_bps'>, price: bigint): bigint {
  return (price * BigInt(fees.final_value_fee_bps)) / 10_000n
}

/** "5 %" for 500 basis points, "2.5 %" for 250. */
export function basisPointsText(bps: number): string {
  const whole = Math.trunc(bps / 100)
  const fraction = (bps % 100).toString().padStart(2, '0').replace(/0+$/, '')
  return fraction === '' ? `${whole} %` : `${whole}.${fraction} %`
}

/**
 * The sell form's field for an API `param`: "location.country" → "location_country", "location"
 * → "location_country", "shipping_options.0.price_koinu" → "shipping_options",
 * "item_specifics.2.name" → "item_specifics".
 */
export function sellFieldFromParam(param: string | null): string | null {
  if (param === null) {
    return null
  }
  if (param === 'location') {
    return 'location_country'
  }
  if (param.startsWith('location.')) {
    return `location_${param.slice('location.'.length)}`
  }
  return param.split('.')[0] ?? param
}

/** Runs `action`; an ApiError comes out with its `param` named as the sell form names fields. */
export async function withSellFields<Result>(action: () => Promise<Result>): Promise<Result> {
  try {
    return await action()
  } catch (error) {
    if (error instanceof ApiError && error.param !== null) {
      throw new ApiError(
        error.status,
        { type: error.type, code: error.code, message: error.message, param: sellFieldFromParam(error.param) },
        { cause: error, retryAfterSeconds: error.retryAfterSeconds },
      )
    }
    throw error
  }
}

/** An ISO time as a `datetime-local` input's value in the browser's zone ('' for null). */
export function toLocalInput(iso: string | null): string {
  if (iso === null) {
    return ''
  }
  const date = new Date(iso)
  const pad = (value: number): string => value.toString().padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`
}

/** "3 days left", "5 hours left", "12 minutes left", or "Ending now" for a listing's end time. */
export function timeLeftText(endsAt: string, now: Date = new Date()): string {
  const minutes = Math.floor((Date.parse(endsAt) - now.getTime()) / 60_000)
  if (minutes < 1) {
    return t('sellText.endingNow')
  }
  if (minutes < 60) {
    return t('sellText.minutesLeft', { count: minutes }, minutes)
  }
  const hours = Math.floor(minutes / 60)
  if (hours < 24) {
    return t('sellText.hoursLeft', { count: hours }, hours)
  }
  const days = Math.floor(hours / 24)
  return t('sellText.daysLeft', { count: days }, days)
}
