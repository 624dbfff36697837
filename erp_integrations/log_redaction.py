"""No log line carries a secret, whatever logs it and whatever fails.

Secrets stay out of our own messages by construction; this is the net under everything else: a
driver error that quotes the row it could not write (a password hash), a web server's request
line with a token in its query, a traceback. It is installed as the process's log record
factory, so it covers every logger (ours, SQLAlchemy's, Werkzeug's, gunicorn's, RQ's) and
every handler, and it redacts the formatted message and the traceback text before any
handler sees them.
"""

from __future__ import annotations

import logging
import re
import traceback

REDACTED = "[redacted]"

PATTERNS = (
    # password hashes (Werkzeug's scrypt and pbkdf2 formats)
    re.compile(r"\b(?:scrypt|pbkdf2):[A-Za-z0-9:]+\$[^\s'\",)\]]+"),
    # our API tokens, and bearer credentials of any kind
    re.compile(r"\beit_[A-Za-z0-9_-]{8,}"),
    re.compile(r"(?i)(\bbearer\s+)[^\s'\",]+"),
    # credentials in query strings, form bodies, JSON or repr()s: name=value, name: value, 'name': 'value'
    re.compile(
        r"(?i)(\b(?:app_secret|client_secret|partner_key|push_key|access_token|refresh_token|auth_code|password|password_hash|api_token|sign|authorization|x-tts-access-token)"
        r"['\"]?\s*[=:]\s*['\"]?)[^&\s'\",}]+"
    ),
    # an OAuth callback's one-time code (only as a query parameter: "code=0" is an API's answer)
    re.compile(r"([?&]code=)[^&\s'\"]+"),
)
# What SQLAlchemy appends to a failed statement: the row's values (engines are also created with
# hide_parameters, so this catches only what another engine might log).
PARAMETERS = re.compile(r"\[parameters: .*?\](?=\s*(?:\(|$))", re.S)


def _keep_name(match: re.Match) -> str:
    return (match.group(1) if match.re.groups else "") + REDACTED


def redact(text: str) -> str:
    text = PARAMETERS.sub("[parameters: redacted]", text)
    for pattern in PATTERNS:
        text = pattern.sub(_keep_name, text)
    return text


_installed = False


def install() -> None:
    """Wrap the log record factory once per process."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        try:
            record.msg, record.args = redact(record.getMessage()), None
            if record.exc_info and record.exc_info[0] is not None:
                # Formatters reuse exc_text when it is set: give them the redacted one.
                record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
        except Exception:  # a message that cannot be formatted: leave it to the handler's own error path
            pass
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
