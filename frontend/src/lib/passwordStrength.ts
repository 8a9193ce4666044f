import { t } from '@/i18n'
/**
 * A quick, local estimate of how guessable a password is, for the hint under password fields.
 * Only a hint: user-service decides (it also checks breached and common passwords) and its
 * weak_password message is what the form shows when it refuses one.
 */

export type PasswordStrengthScore = 0 | 1 | 2 | 3 | 4

export interface PasswordStrength {
  score: PasswordStrengthScore
  /** "Too short", "Weak", "Fair", "Good" or "Strong"; "" for an empty password. */
  label: string
  /** What would make it stronger, or null when there is nothing to add. */
  tip: string | null
}

/**
 * user-service's minimum (its PASSWORD_MIN_LENGTH): the one length rule, stated once under the
 * field (PasswordStrengthHint) and checked with the form's other fields (lib/formSchemas.ts).
 */
export const PASSWORD_MIN_LENGTH = 10
/** From this length a password scores a point more; a hint, never stated as a rule. */
export const PASSWORD_GOOD_LENGTH = 12

const LABELS = [t('passwordStrength.tooShort'), t('passwordStrength.weak'), t('passwordStrength.fair'), t('passwordStrength.good'), t('passwordStrength.strong')] as const

const COMMON_FRAGMENTS = [
  'password',
  'passw0rd',
  'qwerty',
  'azerty',
  'letmein',
  'welcome',
  'iloveyou',
  'admin',
  'monkey',
  'dragon',
  'football',
  'dogecoin',
  'dbay',
  '123456',
  '654321',
  '111111',
  '000000',
  'abc123',
]

const RUN_OF_THREE = /(.)\1\1/

/**
 * `personalWords`: what an attacker knows about this user (their username, the part of their
 * email before the @), which a password should not contain.
 */
export function passwordStrength(
  password: string,
  personalWords: readonly string[] = [],
): PasswordStrength {
  if (password === '') {
    return { score: 0, label: '', tip: null }
  }
  const length = [...password].length
  if (length < PASSWORD_MIN_LENGTH) {
    // The minimum is already stated under the field: no tip repeating it.
    return { score: 0, label: LABELS[0], tip: null }
  }

  const lowered = password.toLowerCase()
  const personal = personalWords
    .map((word) => word.trim().toLowerCase())
    .filter((word) => word.length >= 3)
  if (
    COMMON_FRAGMENTS.some((fragment) => lowered.includes(fragment)) ||
    personal.some((word) => lowered.includes(word))
  ) {
    return {
      score: 1,
      label: LABELS[1],
      tip: t('passwordStrength.avoidCommonWordsAnd'),
    }
  }

  const characterKinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((kind) =>
    kind.test(password),
  ).length
  let points = 1
  if (length >= PASSWORD_GOOD_LENGTH) points += 1
  if (length >= 16) points += 1
  if (characterKinds >= 3) points += 1
  if (RUN_OF_THREE.test(password) || hasSequence(lowered)) points -= 1
  const score = Math.min(4, Math.max(1, points)) as PasswordStrengthScore

  return {
    score,
    label: LABELS[score],
    tip:
      score >= 3
        ? null
        : t('passwordStrength.makeItLongerA'),
  }
}

/** Four or more consecutive letters or digits in a row: "abcd", "6789", "dcba". */
function hasSequence(text: string): boolean {
  let ascending = 1
  let descending = 1
  for (let index = 1; index < text.length; index += 1) {
    const step = text.charCodeAt(index) - text.charCodeAt(index - 1)
    const isAlphanumeric = /[a-z0-9]/.test(text.charAt(index))
    ascending = step === 1 && isAlphanumeric ? ascending + 1 : 1
    descending = step === -1 && isAlphanumeric ? descending + 1 : 1
    if (ascending >= 4 || descending >= 4) {
      return true
    }
  }
  return false
}
