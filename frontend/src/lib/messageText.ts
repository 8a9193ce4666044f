/**
 * A message body as pieces to render as text: links to dBay listings (`/listings/<id>`, or the
 * same with this site's origin in front) become router links, everything else stays text.
 * Nothing else is ever linkified, and nothing is HTML: the component renders each piece with
 * `{{ }}` (no v-html), so `<script>` in a message shows as those characters.
 */

export type MessagePiece = { kind: 'text'; text: string } | { kind: 'listing'; text: string; listingId: string }

const LISTING_LINK = /(^|\s)((?:https?:\/\/[^\s/?#]+)?\/listings\/([A-Za-z0-9-]{1,64})\/?)(?=$|[\s.,;:!?)])/g

export function messagePieces(body: string, origin: string = window.location.origin): MessagePiece[] {
  const pieces: MessagePiece[] = []
  let textStart = 0
  for (const found of body.matchAll(LISTING_LINK)) {
    const [, lead = '', link = '', listingId = ''] = found
    if (/^https?:/i.test(link) && !link.toLowerCase().startsWith(`${origin.toLowerCase()}/`)) {
      continue
    }
    const linkStart = (found.index ?? 0) + lead.length
    if (linkStart > textStart) {
      pieces.push({ kind: 'text', text: body.slice(textStart, linkStart) })
    }
    pieces.push({ kind: 'listing', text: link, listingId })
    textStart = linkStart + link.length
  }
  if (textStart < body.length) {
    pieces.push({ kind: 'text', text: body.slice(textStart) })
  }
  return pieces
}
