"""The sandbox rejects bad requests exactly as TikTok documents, in the documented order."""

from __future__ import annotations

import time

import pytest
import requests

from sandbox_support import APP_KEY, APP_SECRET, SERVICE_ID, authorize, control, raw_call, shops_of

ORDERS = "/order/202309/orders/search"
SHOPS = "/authorization/202309/shops"


def error(response) -> tuple[int, int, str]:
    body = response.json()
    assert set(body) >= {"code", "message", "request_id"}
    assert len(body["request_id"]) == 34  # YYYYMMDDhhmmss + 20 hex digits
    return response.status_code, body["code"], body["message"]


@pytest.fixture
def cipher(sandbox):
    return shops_of(sandbox)[0]["cipher"]


def test_a_good_request_passes_every_check(sandbox, seller_token, cipher):
    response = raw_call(sandbox, "POST", ORDERS, query={"page_size": 1}, body={}, token=seller_token["access_token"], cipher=cipher)
    assert response.status_code == 200 and response.json()["code"] == 0


def test_unknown_path_and_wrong_method(sandbox, seller_token, cipher):
    assert error(raw_call(sandbox, "POST", "/order/202309/nothing", body={}, token=seller_token["access_token"], cipher=cipher))[:2] == (404, 36009009)
    assert error(raw_call(sandbox, "GET", ORDERS, token=seller_token["access_token"], cipher=cipher))[:2] == (405, 36009010)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"app_key": "wrongkey"}, (400, 36009004, "Invalid `app_key`")),
        ({"sign": ""}, (400, 36009004, "Missing credentials")),
        ({"timestamp": -5}, (400, 36009004, "lesser than 0")),
        ({"timestamp": "soon"}, (400, 36009004, "lesser than 0")),
        ({"timestamp_offset": -301}, (400, 36009004, "earlier than 5 minutes")),
        ({"timestamp_offset": 90}, (400, 36009004, "more than 30 seconds")),
        ({"app_secret": "not-the-secret"}, (401, 106001, "`sign`")),
    ],
)
def test_credentials_and_timestamp(sandbox, seller_token, cipher, change, expected):
    change = dict(change)
    if "timestamp_offset" in change:  # relative to when the test runs, not when it was collected
        change["timestamp"] = int(time.time()) + change.pop("timestamp_offset")
    response = raw_call(sandbox, "POST", ORDERS, query={"page_size": 1}, body={}, token=seller_token["access_token"], cipher=cipher, **change)
    status, code, message = error(response)
    assert (status, code) == expected[:2] and expected[2] in message


def test_timestamp_window_edges_are_accepted(sandbox, seller_token, cipher):
    for offset in (-290, 25):
        response = raw_call(
            sandbox, "POST", ORDERS, query={"page_size": 1}, body={}, token=seller_token["access_token"], cipher=cipher, timestamp=int(time.time()) + offset
        )
        assert response.json()["code"] == 0


def test_upper_case_signature_is_rejected(sandbox, seller_token, cipher):
    from erp_integrations_tiktok_shop.signing import sign_request

    params = {"page_size": "1", "app_key": APP_KEY, "timestamp": str(int(time.time())), "shop_cipher": cipher}
    upper = sign_request(APP_SECRET, ORDERS, params, b"{}", "application/json").upper()
    response = raw_call(
        sandbox, "POST", ORDERS, query={"page_size": 1}, body={}, token=seller_token["access_token"], cipher=cipher, timestamp=params["timestamp"], sign=upper
    )
    assert error(response)[:2] == (401, 106001)


def test_the_body_is_signed_byte_for_byte(sandbox, seller_token, cipher):
    from erp_integrations_tiktok_shop.signing import sign_request

    params = {"page_size": "1", "app_key": APP_KEY, "timestamp": str(int(time.time())), "shop_cipher": cipher}
    compact = b'{"order_status":"COMPLETED"}'
    spaced = b'{"order_status": "COMPLETED"}'  # json.dumps default: same JSON, other bytes
    signature = sign_request(APP_SECRET, ORDERS, params, compact, "application/json")
    sent_other_bytes = raw_call(
        sandbox,
        "POST",
        ORDERS,
        query={"page_size": 1},
        body=spaced,
        token=seller_token["access_token"],
        cipher=cipher,
        timestamp=params["timestamp"],
        sign=signature,
    )
    assert error(sent_other_bytes)[:2] == (401, 106001)


def test_tokens(sandbox, seller_token, cipher):
    assert error(raw_call(sandbox, "POST", ORDERS, query={"page_size": 1}, body={}, cipher=cipher))[:2] == (401, 36009004)
    assert error(raw_call(sandbox, "POST", ORDERS, query={"page_size": 1}, body={}, token="TTP_forged", cipher=cipher))[:2] == (401, 36009004)


def test_shop_cipher_required_forbidden_and_bound(sandbox, seller_token, cipher):
    token = seller_token["access_token"]
    assert error(raw_call(sandbox, "POST", ORDERS, query={"page_size": 1}, body={}, token=token))[:2] == (400, 106013)
    status, code, message = error(raw_call(sandbox, "GET", SHOPS, token=token, cipher=cipher))
    assert (status, code) == (400, 36009004) and "not required" in message
    assert error(raw_call(sandbox, "POST", ORDERS, query={"page_size": 1}, body={}, token=token, cipher="ROW_not_a_shop"))[:2] == (400, 101000)


def test_a_token_only_reaches_the_shops_it_was_granted(fresh_sandbox):
    first, second = shops_of(fresh_sandbox)[:2]
    token = authorize(fresh_sandbox, shops=[0])["access_token"]
    assert raw_call(fresh_sandbox, "POST", ORDERS, query={"page_size": 1}, body={}, token=token, cipher=first["cipher"]).json()["code"] == 0
    assert error(raw_call(fresh_sandbox, "POST", ORDERS, query={"page_size": 1}, body={}, token=token, cipher=second["cipher"]))[:2] == (400, 101000)


def test_creator_tokens_use_creator_endpoints_only(fresh_sandbox):
    creator = authorize(fresh_sandbox, user_type="creator")
    assert creator["user_type"] == 1
    ok = raw_call(fresh_sandbox, "POST", "/affiliate_creator/202410/orders/search", query={"page_size": 5}, body={}, token=creator["access_token"])
    assert ok.json()["code"] == 0 and ok.json()["data"]["orders"]
    cipher = shops_of(fresh_sandbox)[0]["cipher"]
    assert error(raw_call(fresh_sandbox, "POST", ORDERS, query={"page_size": 1}, body={}, token=creator["access_token"], cipher=cipher))[:2] == (400, 101000)


def test_missing_scope(fresh_sandbox):
    control(fresh_sandbox, "PUT", "/app", json={"granted_scopes": ["Shop Authorized Information", "Product Basic"]})
    token = authorize(fresh_sandbox)
    assert token["granted_scopes"] == ["Shop Authorized Information", "Product Basic"]
    cipher = shops_of(fresh_sandbox)[0]["cipher"]
    assert error(raw_call(fresh_sandbox, "POST", ORDERS, query={"page_size": 1}, body={}, token=token["access_token"], cipher=cipher))[:2] == (403, 105005)
    assert raw_call(fresh_sandbox, "GET", SHOPS, token=token["access_token"]).json()["code"] == 0


def test_checks_run_in_the_documented_order(sandbox, seller_token, cipher):
    # A bad app key wins over a bad signature; a bad signature over a bad token; a bad token
    # over a missing shop_cipher.
    assert error(raw_call(sandbox, "POST", ORDERS, body={}, app_key="nope", app_secret="nope", token="bad"))[1:2] == (36009004,)
    assert error(raw_call(sandbox, "POST", ORDERS, body={}, app_secret="nope", token="bad"))[:2] == (401, 106001)
    assert error(raw_call(sandbox, "POST", ORDERS, body={}, token="bad"))[:2] == (401, 36009004)
    assert error(raw_call(sandbox, "POST", "/order/202309/unknown", body={}, app_key="nope"))[:2] == (404, 36009009)


def test_expired_access_token_then_refresh(fresh_sandbox):
    token = authorize(fresh_sandbox)
    cipher = shops_of(fresh_sandbox)[0]["cipher"]
    control(fresh_sandbox, "POST", "/tokens/expire")
    assert error(raw_call(fresh_sandbox, "POST", ORDERS, query={"page_size": 1}, body={}, token=token["access_token"], cipher=cipher))[:2] == (401, 105002)
    refreshed = requests.get(
        f"{fresh_sandbox.url}/api/v2/token/refresh",
        params={"app_key": APP_KEY, "app_secret": APP_SECRET, "refresh_token": token["refresh_token"], "grant_type": "refresh_token"},
        timeout=10,
    ).json()
    assert refreshed["code"] == 0
    data = refreshed["data"]
    assert data["access_token"] != token["access_token"] and data["access_token_expire_in"] > time.time() + 6 * 86_400
    assert raw_call(fresh_sandbox, "POST", ORDERS, query={"page_size": 1}, body={}, token=data["access_token"], cipher=cipher).json()["code"] == 0
    assert error(raw_call(fresh_sandbox, "POST", ORDERS, query={"page_size": 1}, body={}, token=token["access_token"], cipher=cipher))[1] == 36009004


def test_token_host_errors(fresh_sandbox):
    def token_call(endpoint, **params):
        base = {"app_key": APP_KEY, "app_secret": APP_SECRET}
        return requests.get(f"{fresh_sandbox.url}/api/v2/token/{endpoint}", params={**base, **params}, timeout=10).json()

    token = authorize(fresh_sandbox)
    assert token["access_token_expire_in"] > time.time() and token["refresh_token_expire_in"] > token["access_token_expire_in"]
    assert token_call("get", auth_code="TTP_unknown", grant_type="authorized_code")["code"] == 36004004
    assert token_call("get", auth_code="x", grant_type="refresh_token")["code"] == 36009004
    assert token_call("refresh", refresh_token="TTP_unknown", grant_type="refresh_token")["code"] == 36004005
    control(fresh_sandbox, "POST", "/tokens/expire", json={"refresh": True})
    assert token_call("refresh", refresh_token=token["refresh_token"], grant_type="refresh_token")["code"] == 36004001


def test_authorization_codes_are_single_use_and_expire(fresh_sandbox):
    def code():
        location = requests.get(
            f"{fresh_sandbox.url}/open/authorize", params={"service_id": SERVICE_ID, "state": "s", "auto_approve": "1"}, allow_redirects=False, timeout=10
        ).headers["Location"]
        return location.split("code=")[1].split("&")[0]

    def exchange(value):
        return requests.get(
            f"{fresh_sandbox.url}/api/v2/token/get",
            params={"app_key": APP_KEY, "app_secret": APP_SECRET, "auth_code": value, "grant_type": "authorized_code"},
            timeout=10,
        ).json()["code"]

    first = code()
    assert exchange(first) == 0
    assert exchange(first) == 36004004
    control(fresh_sandbox, "PUT", "/app", json={"code_ttl": -1})
    assert exchange(code()) == 36004004


def test_consent_page_and_refusal(fresh_sandbox):
    page = requests.get(f"{fresh_sandbox.url}/open/authorize", params={"service_id": SERVICE_ID, "state": "abc"}, timeout=10)
    assert page.status_code == 200 and "Authorize" in page.text and "Sandbox Shop 1" in page.text
    denied = requests.post(
        f"{fresh_sandbox.url}/open/authorize", data={"state": "abc", "decision": "deny", "service_id": SERVICE_ID}, allow_redirects=False, timeout=10
    )
    assert denied.status_code == 302 and "error=auth_denied" in denied.headers["Location"] and "state=abc" in denied.headers["Location"]
    assert requests.get(f"{fresh_sandbox.url}/open/authorize", params={"service_id": "other"}, timeout=10).status_code == 400


def test_rate_limit_per_path(fresh_sandbox):
    control(fresh_sandbox, "PUT", "/app", json={"rate_limit": 3})
    token = authorize(fresh_sandbox)["access_token"]
    cipher = shops_of(fresh_sandbox)[0]["cipher"]
    codes = [raw_call(fresh_sandbox, "POST", ORDERS, query={"page_size": 1}, body={}, token=token, cipher=cipher) for _ in range(6)]
    limited = [r for r in codes if r.status_code == 429]
    assert limited and all(r.json()["code"] == 36009002 for r in limited)
    # Another path has its own window.
    assert raw_call(fresh_sandbox, "GET", "/logistics/202309/warehouses", token=token, cipher=cipher).json()["code"] == 0


def test_body_must_be_json(sandbox, seller_token, cipher):
    token = seller_token["access_token"]
    assert error(raw_call(sandbox, "POST", ORDERS, query={"page_size": 1}, body=b"<xml/>", token=token, cipher=cipher, content_type="text/xml"))[1] == 36009022
    assert error(raw_call(sandbox, "POST", ORDERS, query={"page_size": 1}, body=b"{broken", token=token, cipher=cipher))[1] == 36009004


def test_invalid_parameters_are_refused(sandbox, seller_token, cipher):
    token = seller_token["access_token"]
    assert "page_size" in error(raw_call(sandbox, "POST", ORDERS, query={"page_size": 101}, body={}, token=token, cipher=cipher))[2]
    assert "page_size is required" in error(raw_call(sandbox, "POST", ORDERS, body={}, token=token, cipher=cipher))[2]
    assert "order_status" in error(raw_call(sandbox, "POST", ORDERS, query={"page_size": 5}, body={"order_status": "SHIPPED"}, token=token, cipher=cipher))[2]
    assert "sort_field" in error(raw_call(sandbox, "GET", "/finance/202309/statements", token=token, cipher=cipher))[2]
