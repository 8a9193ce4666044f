"""What a message may say: plain text, 1..2000 characters after trimming, links only to dBay listings.

The text is stored and returned exactly as typed (after trimming the ends): nothing is escaped,
stripped or turned into HTML here, because the service only ever answers JSON and the web app renders
message bodies as text. What is refused, and why:

- empty or longer than :data:`MAX_BODY_CHARS` after trimming: 400 ``invalid_body``;
- NUL characters and unpaired surrogates (the store cannot keep them): 400 ``invalid_body``;
- a link anywhere but a dBay listing: 400 ``external_link``. A link is anything with a scheme
  (``https://``, ``ftp://``, ``javascript:``, ``data:``, ``mailto:``...), anything starting with
  ``www.``, or a bare host name ending in a common top-level domain (``example.com/x``). Allowed:
  ``<PUBLIC_WEB_URL>/listings/<id>`` and the relative ``/listings/<id>`` (the latter is not a link to
  another site at all).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from dbay_common.errors import InvalidRequest

MAX_BODY_CHARS = 2000
MAX_REASON_CHARS = 1000

_SCHEME_URL = re.compile(r"\b[a-z][a-z0-9+.\-]*://[^\s<>\"']*", re.IGNORECASE)
_BARE_SCHEMES = re.compile(r"\b(?:javascript|data|vbscript|mailto|file|tel|sms):", re.IGNORECASE)
_WWW = re.compile(r"\bwww\.[^\s<>\"']+", re.IGNORECASE)
_TLDS = (
    "com|net|org|io|co|info|biz|me|ly|gl|gg|app|dev|xyz|ru|cn|de|uk|fr|nl|es|it|pl|br|in|jp|us|ca|"
    "au|tk|top|site|online|shop|store|link|click|to|tv|cc|ws|su|onion|zip|mov"
)
_BARE_HOST = re.compile(
    rf"(?<![\w@.\-/])(?:[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?\.)+(?:{_TLDS})(?![a-z0-9\-])(?::\d+)?(?:/\S*)?",
    re.IGNORECASE,
)
_LISTING_PATH = re.compile(r"^/listings/[A-Za-z0-9\-]{1,64}/?$")

EXTERNAL_LINK_MESSAGE = (
    "Messages can only link to dBay listings. Remove the link to the other website and send again."
)


def _plain_text(value: str, *, param: str, what: str, code: str) -> None:
    if "\x00" in value:
        raise InvalidRequest(
            f"The {what} contains a character that cannot be stored.", code=code, param=param
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidRequest(
            f"The {what} contains a character that cannot be stored.", code=code, param=param
        ) from None


def _is_listing_link(url: str, *, public_web_url: str) -> bool:
    base = urlsplit(public_web_url)
    try:
        parts = urlsplit(url.rstrip(".,;:!?)"))
    except ValueError:
        return False
    return (
        parts.scheme.lower() == base.scheme.lower()
        and parts.netloc.lower() == base.netloc.lower()
        and not parts.query
        and bool(_LISTING_PATH.match(parts.path))
    )


def has_external_link(text: str, *, public_web_url: str) -> bool:
    """True when ``text`` links anywhere but to a dBay listing (see the module's rules)."""
    for match in _SCHEME_URL.finditer(text):
        if not _is_listing_link(match.group(0), public_web_url=public_web_url):
            return True
    # Scheme URLs were judged above; look for the other forms in what is left.
    rest = _SCHEME_URL.sub(" ", text)
    return bool(_BARE_SCHEMES.search(rest) or _WWW.search(rest) or _BARE_HOST.search(rest))


def message_body_clean(raw: str, *, public_web_url: str, param: str = "body") -> str:
    """The body to store: ``raw`` trimmed, checked against the rules; raises 400 otherwise."""
    body = raw.strip()
    if not body:
        raise InvalidRequest("Write a message before sending.", code="invalid_body", param=param)
    if len(body) > MAX_BODY_CHARS:
        raise InvalidRequest(
            f"A message can be at most {MAX_BODY_CHARS} characters long (this one has {len(body)}).",
            code="invalid_body",
            param=param,
        )
    _plain_text(body, param=param, what="message", code="invalid_body")
    if has_external_link(body, public_web_url=public_web_url):
        raise InvalidRequest(EXTERNAL_LINK_MESSAGE, code="external_link", param=param)
    return body


def free_text_clean(raw: str, *, param: str, what: str, max_chars: int = MAX_REASON_CHARS) -> str:
    """A staff-facing text (a report's reason, a resolution note): trimmed, 1..max_chars, storable."""
    text = raw.strip()
    if not text:
        raise InvalidRequest(f"Write the {what}.", code="invalid_field", param=param)
    if len(text) > max_chars:
        raise InvalidRequest(
            f"The {what} can be at most {max_chars} characters long.", code="invalid_field", param=param
        )
    _plain_text(text, param=param, what=what, code="invalid_field")
    return text
