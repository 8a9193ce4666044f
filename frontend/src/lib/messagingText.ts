/**
 * Words for messaging: the checks a message gets before it is sent (the service checks the same
 * and has the final say) and its refusals in plain words.
 */
import { MESSAGE_MAX_LENGTH } from '@/api/messaging'
import { apiErrorMessage } from '@/lib/apiErrorMessages'
import { formatCount } from '@/lib/locale'
import { t } from '@/i18n'

/** Why `body` cannot be sent, or null when it can. */
export function messageBodyProblem(body: string): string | null {
  const trimmed = body.trim()
  if (trimmed === '') {
    return t('messagingText.empty')
  }
  if (trimmed.length > MESSAGE_MAX_LENGTH) {
    return t('messagingText.tooLong', { max: formatCount(MESSAGE_MAX_LENGTH) })
  }
  return null
}

/**
 * A refusal of messaging-service in plain words: its own sentences (`external_link`, `blocked`,
 * `invalid_body`, `cannot_message_yourself` are written for members), ours where it has none.
 */
export function messagingErrorMessage(error: unknown): string {
  return apiErrorMessage(error, { conversation_not_found: t('messagingText.notFound') })
}
