/**
 * What each form checks before anything is sent (zod): required fields and formats, with every
 * field's first problem shown at once (useApiForm.validate). The service still has the final
 * say (a taken username, a weak password); these only catch what the browser can know.
 *
 * Limits mirror the OpenAPI documents (src/api/generated): username 3–30 of A–Z a–z 0–9 _,
 * email ≤ 254, profile fields 50/500/100/1000. Messages are looked up when a check fails, so they
 * follow the message locale.
 */
import { z } from 'zod'

import { t } from '@/i18n'
import { DOGE_DECIMALS, InvalidAmountError, MAX_BALANCE_KOINU, parseDogeInput } from '@/lib/money'
import { PASSWORD_MIN_LENGTH } from '@/lib/passwordStrength'

// The gateway's Content-Security-Policy has no 'unsafe-eval': zod must not compile parsers with
// new Function (it would also log a CSP violation just by probing for it).
z.config({ jitless: true })

type MessageKey = Parameters<typeof t>[0]

const message = (key: MessageKey) => ({ error: () => t(key) })

const requiredText = (key: MessageKey) => z.string().trim().min(1, message(key))

const email = requiredText('forms.email.required')
  .max(254, message('forms.email.invalid'))
  .pipe(z.email(message('forms.email.invalid')))

const password = z.string().min(1, message('forms.password.required'))

/**
 * A password being chosen: user-service's minimum length, checked with the other fields. The rule
 * itself is stated once, under the field (PasswordStrengthHint); the error only says it is not met.
 */
const passwordChosen = (requiredKey: MessageKey) =>
  z.string().min(1, message(requiredKey)).min(PASSWORD_MIN_LENGTH, message('forms.password.tooShort'))

const newPassword = passwordChosen('forms.newPassword.required')

/** A 6-digit authenticator code, spaces and dashes ignored. */
const totpCode = z
  .string()
  .transform((value) => value.replace(/[\s-]/g, ''))
  .pipe(z.string().min(1, message('forms.code.required')).regex(/^\d{6}$/, message('forms.code.invalid')))

export const registerSchema = z.object({
  email,
  username: requiredText('forms.username.required')
    .min(3, message('forms.username.length'))
    .max(30, message('forms.username.length'))
    .regex(/^[A-Za-z0-9_]+$/, message('forms.username.characters')),
  password: passwordChosen('forms.password.required'),
})

export const signInSchema = z.object({
  login: requiredText('forms.login.required'),
  password,
})

export const forgotPasswordSchema = z.object({ email })

/** Both password forms: the new one twice, the same both times. */
const newPasswordTwice = {
  new_password: newPassword,
  new_password_again: z.string().min(1, message('forms.newPasswordAgain.required')),
}

function samePasswords(values: { new_password: string; new_password_again: string }, context: z.RefinementCtx): void {
  if (values.new_password_again !== '' && values.new_password !== values.new_password_again) {
    context.addIssue({ code: 'custom', path: ['new_password_again'], message: t('forms.newPasswordAgain.different') })
  }
}

export const resetPasswordSchema = z.object(newPasswordTwice).superRefine(samePasswords)

export const changePasswordSchema = z
  .object({ current_password: z.string().min(1, message('forms.currentPassword.required')), ...newPasswordTwice })
  .superRefine(samePasswords)

export const profileSchema = z.object({
  display_name: z.string().trim().max(50, message('forms.profile.displayNameLength')),
  avatar_url: z
    .string()
    .trim()
    .max(500, message('forms.profile.avatarUrlLength'))
    .refine((value) => value === '' || /^https:\/\/[^\s/]+\.[^\s]+$/.test(value), message('forms.profile.avatarUrlFormat')),
  location: z.string().trim().max(100, message('forms.profile.locationLength')),
  bio: z.string().trim().max(1000, message('forms.profile.bioLength')),
})

export const twoFactorCodeSchema = z.object({ code: totpCode })

/** A sign-in second step: an authenticator code, or a recovery code as typed. */
export const signInCodeSchema = z.object({ code: totpCode })
export const recoveryCodeSchema = z.object({ code: requiredText('forms.recoveryCode.required') })

/** The first step of a withdrawal: where to, and how much (read exactly, as bigint koinu). */
export const withdrawalSchema = z.object({
  address: requiredText('forms.withdrawal.addressRequired').regex(
    /^[A-Za-z0-9]{25,90}$/,
    message('forms.withdrawal.addressFormat'),
  ),
  amount_koinu: z.string().transform((text, context) => {
    let koinu: bigint
    try {
      koinu = parseDogeInput(text)
    } catch (error) {
      if (!(error instanceof InvalidAmountError)) {
        throw error
      }
      context.addIssue({ code: 'custom', message: amountMessage(error) })
      return z.NEVER
    }
    if (koinu === 0n) {
      context.addIssue({ code: 'custom', message: t('forms.withdrawal.amountZero') })
      return z.NEVER
    }
    if (koinu > MAX_BALANCE_KOINU) {
      context.addIssue({ code: 'custom', message: t('forms.withdrawal.amountTooLarge') })
      return z.NEVER
    }
    return koinu
  }),
})

function amountMessage(error: InvalidAmountError): string {
  switch (error.reason) {
    case 'empty':
      return t('forms.withdrawal.amountRequired')
    case 'negative':
      return t('forms.withdrawal.amountNegative')
    case 'too_many_decimals':
      return t('forms.withdrawal.amountDecimals', { decimals: DOGE_DECIMALS })
    case 'malformed':
      return t('forms.withdrawal.amountFormat')
  }
}

/** Staff: the reason recorded with an action (wallet-service keeps at most 500 characters). */
const staffReason = requiredText('forms.staffReason.required').max(500, message('forms.staffReason.length'))

/** Rejecting a withdrawal: the reason is required (its owner is shown it). */
export const withdrawalRejectSchema = z.object({ reason: staffReason })

/** Approving a withdrawal: a note is optional. */
export const withdrawalApproveSchema = z.object({
  reason: z.string().trim().max(500, message('forms.staffReason.length')),
})

/** Unfreezing a wallet: the reason is required (it goes into the audit log). */
export const walletUnfreezeSchema = z.object({ reason: staffReason })

// The sell form (listing-service's limits: docs/api-contracts/listing-service.yaml). Each step's
// fields are named as the API names them, so a 400's `param` lands on the right field.

export const SELL_TITLE_MAX = 80
export const SELL_DESCRIPTION_MAX = 5000
export const SELL_SPECIFICS_MAX = 30
export const SELL_SPECIFIC_NAME_MAX = 40
export const SELL_SPECIFIC_VALUE_MAX = 100
export const SELL_SHIPPING_OPTIONS_MAX = 10
export const SELL_SHIPPING_SERVICE_MAX = 60
export const SELL_SHIPS_TO_MAX = 50
export const SELL_QUANTITY_MAX = 10_000
/** listing-service's highest price: one billion DOGE. */
export const SELL_PRICE_MAX_KOINU = 100_000_000_000_000_000n
export const SELL_CONDITIONS = ['new', 'like_new', 'very_good', 'good', 'acceptable', 'for_parts'] as const
export const SELL_DURATIONS = [1, 3, 5, 7, 10] as const

/**
 * A DOGE amount field of the sell form: '' is null unless `isRequired`; otherwise read exactly
 * (bigint koinu), more than zero (or zero when `isZeroAllowed`), at most one billion DOGE.
 */
function sellAmount(text: string, context: z.RefinementCtx, path: string, isRequired: boolean, isZeroAllowed = false): bigint | null {
  if (text.trim() === '') {
    if (isRequired) {
      context.addIssue({ code: 'custom', path: [path], message: t('forms.sell.priceRequired') })
    }
    return null
  }
  let koinu: bigint
  try {
    koinu = parseDogeInput(text)
  } catch (error) {
    if (!(error instanceof InvalidAmountError)) {
      throw error
    }
    const messageText =
      error.reason === 'too_many_decimals'
        ? t('forms.sell.priceDecimals', { decimals: DOGE_DECIMALS })
        : error.reason === 'negative'
          ? t('forms.sell.priceNegative')
          : t('forms.sell.priceFormat')
    context.addIssue({ code: 'custom', path: [path], message: messageText })
    return null
  }
  if (koinu === 0n && !isZeroAllowed) {
    context.addIssue({ code: 'custom', path: [path], message: t('forms.sell.priceZero') })
    return null
  }
  if (koinu > SELL_PRICE_MAX_KOINU) {
    context.addIssue({ code: 'custom', path: [path], message: t('forms.sell.priceTooLarge') })
    return null
  }
  return koinu
}

/** Step "details": title, condition, description, item specifics (empty rows are dropped). */
export const sellDetailsSchema = z
  .object({
    title: requiredText('forms.sell.titleRequired').max(SELL_TITLE_MAX, message('forms.sell.titleLength')),
    condition: z.string().pipe(z.enum(SELL_CONDITIONS, message('forms.sell.conditionRequired'))),
    description: requiredText('forms.sell.descriptionRequired').max(
      SELL_DESCRIPTION_MAX,
      message('forms.sell.descriptionLength'),
    ),
    item_specifics: z.array(z.object({ name: z.string(), value: z.string() })),
  })
  .transform((values, context) => {
    const rows = values.item_specifics
      .map((row) => ({ name: row.name.trim(), value: row.value.trim() }))
      // A name without a value (a suggestion left empty) is skipped, not an error.
      .filter((row) => row.value !== '')
    const problems: string[] = []
    const seen = new Set<string>()
    for (const row of rows) {
      if (row.name === '') {
        problems.push(t('forms.sell.specificIncomplete', { value: row.value }))
      } else if (row.name.length > SELL_SPECIFIC_NAME_MAX || row.value.length > SELL_SPECIFIC_VALUE_MAX) {
        problems.push(t('forms.sell.specificLength', { name: SELL_SPECIFIC_NAME_MAX, value: SELL_SPECIFIC_VALUE_MAX }))
      } else if (seen.has(row.name.toLowerCase())) {
        problems.push(t('forms.sell.specificDuplicate', { name: row.name }))
      }
      seen.add(row.name.toLowerCase())
    }
    if (rows.length > SELL_SPECIFICS_MAX) {
      problems.push(t('forms.sell.specificsTooMany', { max: SELL_SPECIFICS_MAX }))
    }
    if (problems.length > 0) {
      context.addIssue({ code: 'custom', path: ['item_specifics'], message: problems.join(' ') })
      return z.NEVER
    }
    return { ...values, item_specifics: rows }
  })

/** Step "format and price", as typed (DOGE as text, dates from datetime-local inputs). */
export interface SellPriceInput {
  format: 'auction' | 'fixed_price'
  start_price_koinu: string
  reserve_price_koinu: string
  buy_it_now_koinu: string
  price_koinu: string
  quantity: string
  /** How the auction ends: after a number of days, or at a time. */
  ending: 'duration' | 'end_time'
  duration_days: string
  end_time: string
  is_scheduled: boolean
  scheduled_start_at: string
}

/** Step "format and price": the API's fields for the format, the other format's left null. */
export const sellPriceSchema = z
  .object({
    format: z.enum(['auction', 'fixed_price']),
    start_price_koinu: z.string(),
    reserve_price_koinu: z.string(),
    buy_it_now_koinu: z.string(),
    price_koinu: z.string(),
    quantity: z.string(),
    ending: z.enum(['duration', 'end_time']),
    duration_days: z.string(),
    end_time: z.string(),
    is_scheduled: z.boolean(),
    scheduled_start_at: z.string(),
  })
  .transform((values, context) => {
    const isAuction = values.format === 'auction'
    const start = isAuction ? sellAmount(values.start_price_koinu, context, 'start_price_koinu', true) : null
    const reserve = isAuction ? sellAmount(values.reserve_price_koinu, context, 'reserve_price_koinu', false) : null
    const buyItNow = isAuction ? sellAmount(values.buy_it_now_koinu, context, 'buy_it_now_koinu', false) : null
    const price = isAuction ? null : sellAmount(values.price_koinu, context, 'price_koinu', true)
    if (start !== null && reserve !== null && reserve < start) {
      context.addIssue({ code: 'custom', path: ['reserve_price_koinu'], message: t('forms.sell.reserveBelowStart') })
    }
    if (start !== null && buyItNow !== null && buyItNow < start) {
      context.addIssue({ code: 'custom', path: ['buy_it_now_koinu'], message: t('forms.sell.buyItNowBelowStart') })
    } else if (reserve !== null && buyItNow !== null && buyItNow < reserve) {
      context.addIssue({ code: 'custom', path: ['buy_it_now_koinu'], message: t('forms.sell.buyItNowBelowReserve') })
    }
    let quantity = 1
    if (!isAuction) {
      quantity = Number(values.quantity.trim())
      if (!/^\d+$/.test(values.quantity.trim()) || quantity < 1 || quantity > SELL_QUANTITY_MAX) {
        context.addIssue({ code: 'custom', path: ['quantity'], message: t('forms.sell.quantityRange', { max: SELL_QUANTITY_MAX }) })
      }
    }
    const now = Date.now()
    let scheduledStart: string | null = null
    if (values.is_scheduled) {
      const at = Date.parse(values.scheduled_start_at)
      if (values.scheduled_start_at === '' || Number.isNaN(at)) {
        context.addIssue({ code: 'custom', path: ['scheduled_start_at'], message: t('forms.sell.scheduledStartRequired') })
      } else if (at <= now) {
        context.addIssue({ code: 'custom', path: ['scheduled_start_at'], message: t('forms.sell.scheduledStartPast') })
      } else if (at > now + 30 * 24 * 3600 * 1000) {
        context.addIssue({ code: 'custom', path: ['scheduled_start_at'], message: t('forms.sell.scheduledStartTooFar') })
      } else {
        scheduledStart = new Date(at).toISOString()
      }
    }
    let durationDays: number | null = null
    let endTime: string | null = null
    if (values.ending === 'duration') {
      const days = Number(values.duration_days)
      if ((SELL_DURATIONS as readonly number[]).includes(days)) {
        durationDays = days
      } else if (isAuction) {
        context.addIssue({ code: 'custom', path: ['duration_days'], message: t('forms.sell.durationRequired') })
      }
    } else {
      const at = Date.parse(values.end_time)
      const startsAt = scheduledStart === null ? now : Date.parse(scheduledStart)
      const longest = (isAuction ? 10 : 30) * 24 * 3600 * 1000
      if (values.end_time === '' || Number.isNaN(at)) {
        context.addIssue({ code: 'custom', path: ['end_time'], message: t('forms.sell.endTimeRequired') })
      } else if (at < startsAt + 3600 * 1000) {
        context.addIssue({ code: 'custom', path: ['end_time'], message: t('forms.sell.endTimeTooSoon') })
      } else if (at > startsAt + longest) {
        context.addIssue({ code: 'custom', path: ['end_time'], message: t('forms.sell.endTimeTooLate', { days: isAuction ? 10 : 30 }) })
      } else {
        endTime = new Date(at).toISOString()
      }
    }
    return {
      format: values.format,
      start_price_koinu: start,
      reserve_price_koinu: reserve,
      buy_it_now_koinu: buyItNow,
      price_koinu: price,
      quantity,
      duration_days: durationDays,
      end_time: endTime,
      scheduled_start_at: scheduledStart,
    }
  })

/** One shipping option as typed: `ships_to` is "WORLDWIDE" or country codes split by commas or spaces. */
export interface SellShippingOptionInput {
  service: string
  price_koinu: string
  ships_to: string
}

/** Step "shipping and location". */
export const sellShippingSchema = z
  .object({
    shipping_options: z.array(z.object({ service: z.string(), price_koinu: z.string(), ships_to: z.string() })),
    local_pickup: z.boolean(),
    location_country: z.string(),
    location_city: z.string(),
    location_postal_code: z.string(),
  })
  .transform((values, context) => {
    const problems: string[] = []
    const options = values.shipping_options
      .filter((row) => row.service.trim() !== '' || row.price_koinu.trim() !== '' || row.ships_to.trim() !== '')
      .map((row, index) => {
        const number = index + 1
        const service = row.service.trim()
        if (service === '') {
          problems.push(t('forms.sell.shippingServiceRequired', { number }))
        } else if (service.length > SELL_SHIPPING_SERVICE_MAX) {
          problems.push(t('forms.sell.shippingServiceLength', { number, max: SELL_SHIPPING_SERVICE_MAX }))
        }
        let price: bigint | null = null
        try {
          price = row.price_koinu.trim() === '' ? 0n : parseDogeInput(row.price_koinu)
        } catch {
          problems.push(t('forms.sell.shippingPriceFormat', { number }))
        }
        const shipsTo = row.ships_to
          .toUpperCase()
          .split(/[\s,]+/)
          .filter((code) => code !== '')
        if (shipsTo.length === 0) {
          problems.push(t('forms.sell.shipsToRequired', { number }))
        } else if (
          shipsTo.length > SELL_SHIPS_TO_MAX ||
          shipsTo.some((code) => !/^([A-Z]{2}|WORLDWIDE)$/.test(code)) ||
          (shipsTo.includes('WORLDWIDE') && shipsTo.length > 1)
        ) {
          problems.push(t('forms.sell.shipsToFormat', { number }))
        }
        return { service, price_koinu: price ?? 0n, ships_to: [...new Set(shipsTo)] }
      })
    if (options.length > SELL_SHIPPING_OPTIONS_MAX) {
      problems.push(t('forms.sell.shippingTooMany', { max: SELL_SHIPPING_OPTIONS_MAX }))
    }
    if (options.length === 0 && !values.local_pickup) {
      problems.push(t('forms.sell.shippingRequired'))
    }
    if (problems.length > 0) {
      context.addIssue({ code: 'custom', path: ['shipping_options'], message: problems.join(' ') })
    }
    const country = values.location_country.trim().toUpperCase()
    if (!/^[A-Z]{2}$/.test(country)) {
      context.addIssue({ code: 'custom', path: ['location_country'], message: t('forms.sell.countryFormat') })
    }
    const city = values.location_city.trim()
    const postalCode = values.location_postal_code.trim()
    if (city === '' && postalCode === '') {
      context.addIssue({ code: 'custom', path: ['location_city'], message: t('forms.sell.cityOrPostalCode') })
    } else if (city.length > 80) {
      context.addIssue({ code: 'custom', path: ['location_city'], message: t('forms.sell.cityLength') })
    }
    if (postalCode.length > 16) {
      context.addIssue({ code: 'custom', path: ['location_postal_code'], message: t('forms.sell.postalCodeLength') })
    }
    return {
      shipping_options: options,
      local_pickup: values.local_pickup,
      location: { country, city, postal_code: postalCode },
    }
  })
