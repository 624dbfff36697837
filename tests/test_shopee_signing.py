"""Shopee v2 signatures against the vectors in shopee/API.md section 3.8."""

from erp_integrations_shopee.signing import sign_api, sign_push


def test_public_and_shop_level_signatures():
    key, ts, token, shop = "test_partner_key", 1610000000, "c09222e3fc40ffb25fc947f738b1abf1", 600000
    assert sign_api(key, 1, "/api/v2/auth/token/get", ts) == "031c287c1c0c2b1d0d1375a2cdefdbe3cf1e66216cabc7c56ef3f018d9d68588"
    assert sign_api(key, 1, "/api/v2/auth/access_token/get", ts) == "1908164090a3f7badd6c11addd12f824fed5c7ae375434631d1f86b5d800f729"
    assert sign_api(key, 1, "/api/v2/order/get_order_list", ts, token, shop) == "f8e1e1b2cd8f2270e3210bf2a9783254319be1c6ebc9ff33b05e1df597ac68b9"


def test_push_signature_vector():
    body = b'{"partner_id":1,"shopid":61299,"timestamp":1470198856,"ordersn":"160726152598865"}'
    assert sign_push("42", "https://partner.shopeemobile.com/api/v1/orders/detail", body) == "7f8239f14aa84c8ff59c61c4b728e08a44f5ff756064da74678b2f5162ac9116"
