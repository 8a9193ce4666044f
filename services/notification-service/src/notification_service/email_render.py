"""Email as sent: HTML and plain text from the templates in ``templates/email/`` (Jinja2), with the
headers of RFC 2369 / RFC 8058 one-click unsubscribe.

The HTML templates are autoescaped, so text from members (a listing title, a message) is shown as
text. Every link is absolute, on ``PUBLIC_WEB_URL``. Security types (``required``) carry no unsubscribe
link or header: they cannot be turned off.
"""

from __future__ import annotations

import functools
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from notification_service.kinds import KINDS_BY_TYPE
from notification_service.unsubscribe import DIGEST, label, unsubscribe_token

PREFERENCES_PATH = "/account/notifications"
#: Long header lines stay whole: folding would RFC 2047-encode the List-Unsubscribe URL (it has no
#: space to fold at), which mail clients cannot use. 998 is RFC 5322's hard limit.
MAIL_POLICY = policy.SMTP.clone(max_line_length=998)
ONE_CLICK_PATH = "/api/v1/notifications/unsubscribe/one-click"


@functools.cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("notification_service", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def _url(base: str, link: str | None) -> str | None:
    return f"{base}{link}" if link else None


def email_message(email: dict[str, Any], *, config: dict[str, Any]) -> EmailMessage:
    """The MIME message of a stored email intent (``kind`` ``notification`` or ``digest``)."""
    base = config["PUBLIC_WEB_URL"]
    type_ = email["type"]
    is_digest = email.get("kind") == "digest"
    required = not is_digest and KINDS_BY_TYPE[type_].required
    token = (
        None
        if required
        else unsubscribe_token(
            user_id=email["user_id"],
            type_=DIGEST if is_digest else type_,
            secret=config["UNSUBSCRIBE_SECRET"],
        )
    )
    context: dict[str, Any] = {
        "subject": email["subject"],
        "name": email.get("name") or "",
        "title": email.get("title") or email["subject"],
        "app_url": base,
        "preferences_url": f"{base}{PREFERENCES_PATH}",
        "unsubscribe_url": f"{base}/unsubscribe?token={token}" if token else None,
        "unsubscribe_label": label(DIGEST if is_digest else type_),
    }
    if is_digest:
        template = "digest"
        context["action_url"] = f"{base}/notifications"
        context["items"] = [
            {"title": item["title"], "body": item["body"], "url": _url(base, item.get("link"))}
            for item in email["items"]
        ]
    else:
        template = "notification"
        context["body"] = email["body"]
        context["action_url"] = _url(base, email.get("link"))
    environment = _environment()
    text = environment.get_template(f"email/{template}.txt").render(context)
    html = environment.get_template(f"email/{template}.html").render(context)

    message = EmailMessage(policy=MAIL_POLICY)
    message["Subject"] = email["subject"]
    message["From"] = config["MAIL_FROM"]
    message["To"] = email["to"]
    message["Message-ID"] = make_msgid(idstring=str(email["_id"]).replace(":", "."), domain="dbay.local")
    if token:
        message["List-Unsubscribe"] = f"<{base}{ONE_CLICK_PATH}?token={token}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message
