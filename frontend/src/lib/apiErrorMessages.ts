/**
 * Turns an ApiError into words for people, and into per-field errors for forms.
 *
 * The services send a machine `code`, a `message` written for developers that is often fine for
 * people too, and the request field at fault as `param`. Codes a user meets on their own
 * (a taken username, a wrong code) get dBay's own wording; the rest show the service's message.
 */
import { ApiError } from '@/api/http'

import { formatDateTime, formatTime, isSameLocalDay } from './dates'
import { formatDoge } from './money'
import { t } from '@/i18n'

/** Per-call wording for a code, where the generic sentence would mislead. */
export type ErrorMessageOverrides = Partial<Record<string, string>>

export const GENERIC_ERROR_MESSAGE = t('apiErrorMessages.somethingWentWrongPlease')
export const SERVER_ERROR_MESSAGE =
  t('apiErrorMessages.somethingWentWrongOn')

const MESSAGES: Readonly<Record<string, string>> = {
  invalid_credentials:
    t('apiErrorMessages.thatEmailOrUsername'),
  email_taken:
    t('apiErrorMessages.thereIsAlreadyAn'),
  username_taken: t('apiErrorMessages.thatUsernameIsTaken'),
  invalid_token: t('apiErrorMessages.thisLinkIsnT'),
  token_expired: t('apiErrorMessages.thisLinkHasExpired'),
  invalid_mfa_code:
    t('apiErrorMessages.thatCodeDidnT'),
  mfa_required: t('apiErrorMessages.enterTheCodeFrom'),
  two_factor_not_enabled:
    t('apiErrorMessages.turnOnTwoFactor'),
  insufficient_funds: t('apiErrorMessages.yourAvailableBalanceIsn'),
  account_frozen:
    t('apiErrorMessages.yourWalletIsFrozen'),
  idempotency_request_in_progress:
    t('apiErrorMessages.weReStillWorking'),
  missing_role: t('apiErrorMessages.missingRole'),
  withdrawal_not_awaiting_approval: t('apiErrorMessages.withdrawalNotAwaiting'),
  withdrawal_not_found: t('apiErrorMessages.withdrawalNotFound'),
  account_not_found: t('apiErrorMessages.accountNotFound'),
  // listing-service: the sell form, photos and the seller's actions
  photo_type_unsupported: t('apiErrorMessages.photoTypeUnsupported'),
  photo_too_small: t('apiErrorMessages.photoTooSmall'),
  photo_too_many_pixels: t('apiErrorMessages.photoTooManyPixels'),
  photo_unreadable: t('apiErrorMessages.photoUnreadable'),
  photo_limit_reached: t('apiErrorMessages.photoLimitReached'),
  photo_order_mismatch: t('apiErrorMessages.photoOrderMismatch'),
  listing_not_editable: t('apiErrorMessages.listingNotEditable'),
  field_locked_after_start: t('apiErrorMessages.fieldLockedAfterStart'),
  auction_has_bids: t('apiErrorMessages.auctionHasBids'),
  listing_not_draft: t('apiErrorMessages.listingNotDraft'),
  listing_not_active: t('apiErrorMessages.listingNotActive'),
  listing_not_cancellable: t('apiErrorMessages.listingNotCancellable'),
  listing_not_found: t('apiErrorMessages.listingNotFound'),
  unknown_category: t('apiErrorMessages.unknownCategory'),
  category_not_leaf: t('apiErrorMessages.categoryNotLeaf'),
  reserve_below_start_price: t('apiErrorMessages.reserveBelowStartPrice'),
  buy_it_now_below_start_price: t('apiErrorMessages.buyItNowBelowStartPrice'),
  buy_it_now_below_reserve: t('apiErrorMessages.buyItNowBelowReserve'),
  scheduled_start_in_past: t('apiErrorMessages.scheduledStartInPast'),
  scheduled_start_too_far: t('apiErrorMessages.scheduledStartTooFar'),
  end_time_too_soon: t('apiErrorMessages.endTimeTooSoon'),
  end_time_too_late: t('apiErrorMessages.endTimeTooLate'),
  duration_and_end_time: t('apiErrorMessages.durationAndEndTime'),
  field_not_for_format: t('apiErrorMessages.fieldNotForFormat'),
}

/** The sentence to show for `error`. */
export function apiErrorMessage(error: unknown, overrides: ErrorMessageOverrides = {}): string {
  if (!(error instanceof ApiError)) {
    return GENERIC_ERROR_MESSAGE
  }
  const override = overrides[error.code]
  if (override !== undefined) {
    return override
  }
  switch (error.code) {
    case 'rate_limited':
      return rateLimitedMessage(error.retryAfterSeconds)
    case 'account_locked':
      return accountLockedMessage(error)
    case 'weak_password':
      return withoutParamPrefix(error.message, error.param)
    case 'amount_below_dust':
      return belowDustMessage(error.message)
    case 'velocity_limit_exceeded':
      return velocityLimitMessage(error.message)
  }
  const known = MESSAGES[error.code]
  if (known !== undefined) {
    return known
  }
  if (error.status >= 500) {
    return SERVER_ERROR_MESSAGE
  }
  return withoutParamPrefix(error.message, error.param) || GENERIC_ERROR_MESSAGE
}

export interface FormErrors<Field extends string> {
  /** Errors the API pinned on one of the form's fields (`param`). */
  fieldErrors: Partial<Record<Field, string>>
  /** An error about the form as a whole, or about a field the form does not show. */
  formError: string | null
}

/**
 * Puts the error next to the field its `param` names, if the form has that field. Without a
 * usable `param`, `fieldForCode` can still name the field a code is about (a wrong current
 * password is about the current-password field whatever the API says).
 */
export function formErrorsFrom<Field extends string>(
  error: unknown,
  fields: readonly Field[],
  overrides: ErrorMessageOverrides = {},
  fieldForCode: Partial<Record<string, Field>> = {},
): FormErrors<Field> {
  const message = apiErrorMessage(error, overrides)
  if (error instanceof ApiError) {
    const field = fields.find((name) => name === error.param) ?? fieldForCode[error.code]
    if (field !== undefined) {
      return { fieldErrors: { [field]: message } as Partial<Record<Field, string>>, formError: null }
    }
  }
  return { fieldErrors: {}, formError: message }
}

/** "30 seconds", "1 minute", "5 minutes", "2 hours". */
export function formatWait(seconds: number): string {
  if (seconds < 60) {
    return t('apiErrorMessages.seconds', Math.max(1, Math.ceil(seconds)))
  }
  if (seconds < 3600) {
    return t('apiErrorMessages.minutes', Math.ceil(seconds / 60))
  }
  return t('apiErrorMessages.hours', Math.ceil(seconds / 3600))
}

function rateLimitedMessage(retryAfterSeconds: number | null): string {
  if (retryAfterSeconds === null) {
    return t('apiErrorMessages.tooManyAttemptsPlease')
  }
  return t('apiErrorMessages.tooManyAttemptsPlease2', { wait: formatWait(retryAfterSeconds) })
}

/**
 * wallet-service names the limits in koinu in its messages ("The minimum withdrawal is 1000000
 * koinu (0.01000000 DOGE): ..."); people get them in DOGE. Without the figure, the sentence alone.
 */
function belowDustMessage(serverMessage: string): string {
  const lead = t('apiErrorMessages.thatAmountIsToo')
  const minimum = /minimum withdrawal is (\d+) koinu/.exec(serverMessage)?.[1]
  return minimum === undefined
    ? lead
    : `${lead} ${t('apiErrorMessages.smallestWithdrawal', { minimum: formatDoge(BigInt(minimum), { withSymbol: true }) })}`
}

/** "...would exceed your daily limit of 10000000000000 koinu (250000000 koinu left in the last 24 hours)." */
function velocityLimitMessage(serverMessage: string): string {
  const found = /daily limit of (\d+) koinu \((\d+) koinu left/.exec(serverMessage)
  if (found?.[1] === undefined || found[2] === undefined) {
    return t('apiErrorMessages.thisWouldGoOver')
  }
  const limit = formatDoge(BigInt(found[1]), { withSymbol: true })
  const left = formatDoge(BigInt(found[2]), { withSymbol: true })
  return t('apiErrorMessages.thisWouldGoOver2', { limit, left })
}

/** "2025-06-01T12:15:00Z", "2025-06-01 12:15:00 UTC", "2025-06-01T12:15:00+02:00". */
const MESSAGE_DATE_TIME =
  /(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?/

/**
 * When the account unlocks, in local time: from Retry-After if the service sent it, else from the
 * time in its message (read as UTC unless it names a zone), else the service's message as it is.
 */
function accountLockedMessage(error: ApiError): string {
  const lead = t('apiErrorMessages.thisAccountIsLocked')
  const unlockAt = accountUnlockTime(error)
  if (unlockAt === null) {
    const serverMessage = error.message.trim()
    return serverMessage === '' ? lead : `${lead} ${serverMessage}`
  }
  const when = isSameLocalDay(unlockAt, new Date()) ? formatTime(unlockAt) : formatDateTime(unlockAt)
  return `${lead} ${t('apiErrorMessages.tryAgainAfter', { when })}`
}

function accountUnlockTime(error: ApiError): Date | null {
  if (error.retryAfterSeconds !== null) {
    return new Date(Date.now() + error.retryAfterSeconds * 1000)
  }
  const found = MESSAGE_DATE_TIME.exec(error.message)
  if (found === null) {
    return null
  }
  const [, date, time, zone] = found
  const offset = zone === undefined || zone === 'UTC' || zone === 'Z' ? 'Z' : zone
  const parsed = Date.parse(`${date}T${time}${offset}`)
  return Number.isNaN(parsed) ? null : new Date(parsed)
}

/** Validation messages come as "password: This password is too common."; the field shows it. */
function withoutParamPrefix(message: string, param: string | null): string {
  if (param !== null && message.startsWith(`${param}: `)) {
    return message.slice(param.length + 2)
  }
  return message
}
