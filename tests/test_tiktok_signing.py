"""TikTok Shop signatures against the published vectors (API.md section 3) and properties."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from erp_integrations_tiktok_shop.signing import sign_request, sign_webhook, signatures_match, string_to_sign

from conftest import shared_path

DOC_TOKEN = "6AsPQsUMvH3RkchNUPPh22NROHkE0D8pmq/N5M1kHYcZmtRyv9aVrNv65W7Q6tFA+7D1ud64MPNz5OaT"
CIPHER = "ROW_xkMbgAAAeVAQra0eZWebFQq5aIK"
VECTORS = [
    (
        "e59af819cc",
        "/authorization/202309/shops",
        {"app_key": "29a39d", "timestamp": "1623812664"},
        None,
        "b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8",
    ),
    ("app_secret", "/test-api", {"foo": "bar"}, None, "d3cb7fe11ecae942802ceeca67e7cf10120cc12f1517d45fbc1c8cfe5413c80f"),
    (
        "e59af819cc",
        "/event/202309/webhooks",
        {"app_key": "68xu9ks5p4i8", "shop_cipher": CIPHER, "timestamp": "1696909648"},
        None,
        "ed58e1b5e59865c22a7b828c1cab65007441f43cc91a6cb2f2cdc638e0995a37",
    ),
    (
        "e59af819cc",
        "/event/202309/webhooks",
        {"app_key": "68xu9ks5p4i8", "shop_cipher": CIPHER, "timestamp": "1696909648"},
        b'{"event_type":"PACKAGE_UPDATE","address":"https://partner.tiktokshop.com"}',
        "701dd6deb2389fe4c469b89bd37fc56f96a6da6afeb4d01c9077a65169752fa7",
    ),
    (
        "e59af819cc",
        "/event/202309/webhooks",
        {"app_key": "68xu9ks5p4i8", "shop_cipher": CIPHER, "timestamp": "1696909648"},
        b'{"address":"https://partner.tiktokshop.com","event_type":"PACKAGE_UPDATE"}',
        "cd0d6268252f4ba293bf7ea4c0a2873bf9beec600d22530638564ab301435f7a",
    ),
    (
        "e59af819cc",
        "/order/202309/orders/search",
        {
            "app_key": "29a39d",
            "page_size": "100",
            "page_token": DOC_TOKEN,
            "shop_cipher": "GCP_XF90igAAAABh00qsWgtvOiGFNqyubMt3",
            "timestamp": "1623812664",
            "sign": "ignored",
            "access_token": "ignored",
        },
        b'{"order_status":"UNPAID"}',
        "6b55918cfea8c0a45c2e533b88a5d8c2c379f23ded442d71d9be1fa86d28f73e",
    ),
]


@pytest.mark.parametrize(("secret", "path", "query", "body", "expected"), VECTORS)
def test_published_vectors(secret, path, query, body, expected):
    assert sign_request(secret, path, query, body, "application/json") == expected


def test_worked_example_string_to_sign():
    base = string_to_sign("e59af819cc", "/authorization/202309/shops", {"app_key": "29a39d", "timestamp": "1623812664"})
    assert base == b"e59af819cc/authorization/202309/shopsapp_key29a39dtimestamp1623812664e59af819cc"


def test_official_webhook_vector():
    body = shared_path("tiktok-shop", "samples", "webhooks_official", "webhook_01_order_status_change.signature_vector.json").read_bytes()
    signature = sign_webhook("abcdef", "123", body)
    assert signature == "5dec0f11ec2f6783b8deee53c9ffbf8d024302f7c7e7fa55a35d17629031ac05"
    assert signatures_match(signature, "5dec0f11ec2f6783b8deee53c9ffbf8d024302f7c7e7fa55a35d17629031ac05")
    assert not signatures_match(signature, signature.upper())
    assert not signatures_match(signature, None)


def test_multipart_bodies_are_not_signed():
    query = {"app_key": "k", "timestamp": "1"}
    plain = sign_request("s", "/product/202309/images/upload", query)
    assert sign_request("s", "/product/202309/images/upload", query, b"--boundary\r\n...", "multipart/form-data; boundary=boundary") == plain
    assert sign_request("s", "/product/202309/images/upload", query, b"--boundary\r\n...", "application/json") != plain


def test_repeated_keys_sign_the_first_value():
    assert sign_request("s", "/p", [("a", "1"), ("a", "2")]) == sign_request("s", "/p", {"a": "1"})


params = st.dictionaries(st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=8), st.text(max_size=12), max_size=6)


@given(query=params, secret=st.text(min_size=1, max_size=16), body=st.binary(max_size=64))
def test_signature_ignores_parameter_order_and_excluded_keys(query, secret, body):
    reordered = dict(reversed(list(query.items())))
    noisy = {**query, "sign": "x", "access_token": "y"}
    expected = sign_request(secret, "/p", query, body)
    assert sign_request(secret, "/p", reordered, body) == expected
    assert sign_request(secret, "/p", {**noisy, **{k: v for k, v in query.items()}}, body) == expected or "sign" in query or "access_token" in query
    assert len(expected) == 64 and expected == expected.lower()


@given(query=params, secret=st.text(min_size=1, max_size=16), extra=st.text(min_size=1, max_size=8))
def test_any_change_to_a_signed_part_changes_the_signature(query, secret, extra):
    base = sign_request(secret, "/p", query, b"{}")
    assert sign_request(secret, "/p" + extra, query, b"{}") != base
    assert sign_request(secret, "/p", query, b"{}" + extra.encode()) != base
    assert sign_request(secret + extra, "/p", query, b"{}") != base
    key = "zz" + extra
    if key not in {"sign", "access_token"} and key not in query:
        assert sign_request(secret, "/p", {**query, key: "v"}, b"{}") != base


def test_webhook_signature_samples_parse_as_json():
    body = shared_path("tiktok-shop", "samples", "webhooks_official", "webhook_01_order_status_change.signature_vector.json").read_bytes()
    assert json.loads(body)["type"] == 1


def test_sign_command_prints_the_string_and_signature():
    from click.testing import CliRunner

    from erp_integrations_tiktok_shop.commands import sign_command

    result = CliRunner().invoke(
        sign_command, ["--app-secret", "e59af819cc", "--path", "/authorization/202309/shops", "--query", "app_key=29a39d", "--query", "timestamp=1623812664"]
    )
    assert result.exit_code == 0
    assert result.output == (
        "string to sign: <app_secret>/authorization/202309/shopsapp_key29a39dtimestamp1623812664<app_secret>\n"
        "sign: b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8\n"
    )
    bad = CliRunner().invoke(sign_command, ["--app-secret", "s", "--path", "/p", "--query", "novalue"])
    assert bad.exit_code == 2 and "is not KEY=VALUE" in bad.output
