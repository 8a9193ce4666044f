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
