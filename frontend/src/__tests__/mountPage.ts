import { PiniaColada } from '@pinia/colada'
import { flushPromises, mount, type ComponentMountingOptions, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { vi } from 'vitest'
import type { Component } from 'vue'
import { createMemoryHistory, type Router } from 'vue-router'

import { i18n } from '@/i18n'
import { QUERY_DEFAULTS } from '@/queries/queryClient'
import { createAppRouter } from '@/router'

export interface MountedPage {
  wrapper: VueWrapper
  router: Router
  pinia: Pinia
}

/**
 * Mounts `component` the way the app shows it: with a fresh Pinia (and its query cache, Pinia
 * Colada), the messages (vue-i18n) and the app's router (in memory) already at `path`. Attached to the document so focus can be asserted.
 */
export async function mountPage(
  component: Component,
  options: {
    path?: string
    props?: Record<string, unknown>
    /** Runs with the Pinia active, before the router moves to `path` (to sign someone in). */
    beforeNavigation?: () => void
  } = {},
): Promise<MountedPage> {
  vi.spyOn(window, 'scrollTo').mockImplementation(() => undefined)
  const pinia = createPinia()
  setActivePinia(pinia)
  options.beforeNavigation?.()
  const router = createAppRouter(createMemoryHistory())
  await router.push(options.path ?? '/')
  await router.isReady()
  const mountingOptions: ComponentMountingOptions<Component> = {
    attachTo: document.body,
    props: options.props,
    global: { plugins: [pinia, [PiniaColada, { queryOptions: QUERY_DEFAULTS }], i18n, router] },
  }
  const wrapper = mount(component, mountingOptions)
  await flushPromises()
  return { wrapper, router, pinia }
}

/** The field's input, found by its label text, as a screen reader would. */
export function fieldByLabel(wrapper: VueWrapper, labelText: string): HTMLInputElement {
  const label = wrapper
    .findAll('label')
    .find((candidate) => candidate.text().replace(/\s+/g, ' ').trim() === labelText)
  if (label === undefined) {
    throw new Error(`no label "${labelText}"`)
  }
  const input = document.getElementById(label.attributes('for') ?? '')
  if (!(input instanceof HTMLInputElement || input instanceof HTMLTextAreaElement)) {
    throw new Error(`label "${labelText}" points at no field`)
  }
  return input as HTMLInputElement
}

/** The error text linked to a field with aria-describedby ('' when it is valid). */
export function fieldError(input: HTMLElement): string {
  const errorElement = (input.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .map((id) => document.getElementById(id))
    .find((element) => element?.id.endsWith('-error'))
  return errorElement?.textContent?.trim() ?? ''
}

export async function typeInto(wrapper: VueWrapper, labelText: string, value: string): Promise<void> {
  const input = fieldByLabel(wrapper, labelText)
  input.value = value
  input.dispatchEvent(new Event('input'))
  await flushPromises()
  void wrapper
}

/** Texts of the role=alert elements (block children separated by a space), whitespace collapsed. */
export function alertTexts(wrapper: VueWrapper): string[] {
  return wrapper.findAll('[role="alert"]').map((alert) => blockText(alert.element))
}

/** An element's text with its block children separated by a space, as it reads aloud. */
export function blockText(element: Element): string {
  const parts = element.children.length === 0
    ? [element.textContent ?? '']
    : [...element.children].map((child) => child.textContent ?? '')
  return parts.join(' ').replace(/\s+/g, ' ').trim()
}
