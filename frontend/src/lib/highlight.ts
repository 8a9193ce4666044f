/**
 * Search highlights without v-html. search-gateway sends `title_html` / `description_html` with
 * every character HTML-escaped and the matched words wrapped in `<mark>…</mark>`. This splits
 * such a string into text pieces (entities decoded) and says which are marked; components render
 * each piece as text in a <span> or <mark>, so nothing in a title can become markup.
 */

export interface HighlightPart {
  text: string
  isMarked: boolean
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' }

/** Decodes the entities an HTML escaper writes (`&amp;`, `&#39;`, `&#x2F;`...); anything else stays as it is. */
export function htmlEntitiesDecode(escaped: string): string {
  return escaped.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]+);/g, (entity: string, body: string) => {
    if (body.startsWith('#x') || body.startsWith('#X')) {
      return codePointText(Number.parseInt(body.slice(2), 16)) ?? entity
    }
    if (body.startsWith('#')) {
      return codePointText(Number.parseInt(body.slice(1), 10)) ?? entity
    }
    return NAMED_ENTITIES[body] ?? entity
  })
}

function codePointText(codePoint: number): string | null {
  return Number.isInteger(codePoint) && codePoint > 0 && codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : null
}

/**
 * The pieces of a highlighted string. Only the exact tags `<mark>` and `</mark>` mark text; any
 * other `<...>` is shown as the characters it is. An empty `highlighted` falls back to `plain`.
 */
export function highlightParts(highlighted: string, plain = ''): HighlightPart[] {
  if (highlighted === '') {
    return plain === '' ? [] : [{ text: plain, isMarked: false }]
  }
  const parts: HighlightPart[] = []
  let isMarked = false
  for (const piece of highlighted.split(/(<mark>|<\/mark>)/)) {
    if (piece === '<mark>') {
      isMarked = true
    } else if (piece === '</mark>') {
      isMarked = false
    } else if (piece !== '') {
      parts.push({ text: htmlEntitiesDecode(piece), isMarked })
    }
  }
  return parts
}
