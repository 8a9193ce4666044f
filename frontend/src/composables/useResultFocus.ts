import { nextTick, type Ref } from 'vue'

/**
 * After a form succeeds and its result replaces it, focus would fall back to the page: move it
 * to the result instead, so keyboard and screen reader users land on what happened.
 *
 *   const resultFocus = useResultFocus(useTemplateRef('result'))  // ref="result" tabindex="-1"
 *   ...after success: await resultFocus()
 */
export function useResultFocus(target: Readonly<Ref<unknown>>): () => Promise<void> {
  return async function resultFocus(): Promise<void> {
    await nextTick()
    // On a component (a BaseAlert) the ref is the instance: focus its root element.
    const value = target.value
    const element = value instanceof HTMLElement ? value : (value as { $el?: unknown } | null)?.$el
    if (element instanceof HTMLElement) {
      element.focus()
    }
  }
}
