import { nextTick, reactive, ref, shallowRef, type Ref } from 'vue'
import type { z } from 'zod'

import { ApiError } from '@/api/http'
import { formErrorsFrom, type ErrorMessageOverrides } from '@/lib/apiErrorMessages'

/**
 * The state every form that calls the API shares: pending while a submit runs (the submit button
 * is disabled), the API's error put next to the field its `param` names or at the top of the form,
 * and focus moved to the first field in error so keyboard and screen reader users land on it.
 */
export function useApiForm<Field extends string>(
  fields: readonly Field[],
  options: {
    /** The <form>, to move focus to the first invalid field after a failed submit. */
    formElement?: Readonly<Ref<HTMLElement | null>>
    /** This form's own wording for some error codes. */
    messages?: ErrorMessageOverrides
    /** The field an error code is about when the API names none (`param` null). */
    fieldForCode?: Partial<Record<string, Field>>
  } = {},
) {
  const isPending = ref(false)
  const fieldErrors = ref<Partial<Record<Field, string>>>({})
  const formError = ref<string | null>(null)
  /** The last error the API sent, for forms that react to a code (a link that expired). */
  const lastError = shallowRef<ApiError | null>(null)

  function errorsClear(): void {
    fieldErrors.value = {}
    formError.value = null
    lastError.value = null
  }

  /** For checks made before calling the API, such as two passwords that differ. */
  function fieldErrorSet(field: Field, message: string): void {
    fieldErrors.value = { ...fieldErrors.value, [field]: message }
    void focusFirstInvalid()
  }

  /**
   * Checks `values` against `schema` (lib/formSchemas.ts) before anything is sent: each field
   * with a problem shows its first one, all at once, and focus goes to the first of them.
   * Returns the parsed values (trimmed, converted), or null when a check failed.
   */
  function validate<Schema extends z.ZodType>(schema: Schema, values: z.input<Schema>): z.output<Schema> | null {
    errorsClear()
    const result = schema.safeParse(values)
    if (result.success) {
      return result.data
    }
    const errors: Partial<Record<Field, string>> = {}
    for (const issue of result.error.issues) {
      const field = issue.path[0]
      if (typeof field === 'string' && (fields as readonly string[]).includes(field) && !(field in errors)) {
        errors[field as Field] = issue.message
      } else if (typeof field !== 'string') {
        formError.value ??= issue.message
      }
    }
    fieldErrors.value = errors
    void focusFirstInvalid()
    return null
  }

  /**
   * Runs `action` unless a submit is already running. Resolves true if it succeeded, false if it
   * failed (its error is then shown).
   */
  async function submit(action: () => Promise<void>): Promise<boolean> {
    if (isPending.value) {
      return false
    }
    isPending.value = true
    errorsClear()
    try {
      await action()
      return true
    } catch (error) {
      if (!(error instanceof ApiError)) {
        console.error(error)
      }
      const mapped = formErrorsFrom(error, fields, options.messages, options.fieldForCode)
      fieldErrors.value = mapped.fieldErrors
      formError.value = mapped.formError
      lastError.value = error instanceof ApiError ? error : null
      void focusFirstInvalid()
      return false
    } finally {
      isPending.value = false
    }
  }

  async function focusFirstInvalid(): Promise<void> {
    await nextTick()
    const firstInvalid = options.formElement?.value?.querySelector<HTMLElement>(
      '[aria-invalid="true"]',
    )
    firstInvalid?.focus()
  }

  // One reactive object, so templates read `form.formError` and views may set it.
  return reactive({
    isPending,
    fieldErrors,
    formError,
    lastError,
    submit,
    validate,
    errorsClear,
    fieldErrorSet,
  })
}
