"""Downloading the file behind a shipping document's ``doc_url``.

The URL is TikTok's file host, valid for 24 hours and signed by itself (no API signature, no
token: none is sent to it). The file is fetched at once and kept by the host, so a label can be
printed again after the link has expired.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import requests

from erp_integrations.toolkit import DocumentFile, ServerError, TransportError, ValidationFailed

MAX_BYTES = 10 * 1024 * 1024  # a label or packing slip is tens of kilobytes
TIMEOUT = 30


def download_document(session: requests.Session, url: str, tracking_number: str | None) -> DocumentFile:
    if urlsplit(url).scheme not in ("https", "http") or not urlsplit(url).hostname:
        raise ValidationFailed("TikTok answered without a document link")
    try:
        # A fresh request, not through the API session's signing: only the URL is sent.
        with session.get(url, timeout=TIMEOUT, stream=True, allow_redirects=True) as response:
            if response.status_code >= 500:
                raise ServerError(f"the document host answered HTTP {response.status_code}", http_status=response.status_code)
            if response.status_code != 200:
                raise ValidationFailed(f"the document link was refused (HTTP {response.status_code}): it may have expired", http_status=response.status_code)
            content = bytearray()
            for chunk in response.iter_content(64 * 1024):
                content += chunk
                if len(content) > MAX_BYTES:
                    raise ValidationFailed(f"the document is larger than {MAX_BYTES // (1024 * 1024)} MB")
            content_type = (response.headers.get("Content-Type") or "application/pdf").split(";")[0].strip()
    except requests.Timeout:
        raise TransportError("the document download timed out") from None
    except requests.RequestException as exc:
        raise TransportError(f"the document download failed: {type(exc).__name__}") from None
    return DocumentFile(bytes(content), content_type, tracking_number)
