"""Sandbox page latency at scale: server time of a 100-order page, at 1,000,000 orders and at
a 10,000-order baseline in the same run (the ratio shows whether cost grows with data).

    python bench/sandbox_pages.py [--orders 1000000] [--baseline 10000] [--pages 200]

Prints JSON. Server time is measured in-process through Flask's test client (no sockets), so it
is the sandbox's own work: checks, search, page build and JSON encoding.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time

from erp_integrations_tiktok_shop.sandbox import SandboxConfig, create_sandbox_app
from erp_integrations_tiktok_shop.signing import sign_request

QUERIES = {
    "newest_first": ({}, {}),
    "update_time_window_asc": ({"sort_field": "update_time", "sort_order": "ASC"}, {"update_time_ge": None}),
    "status_filter": ({}, {"order_status": "COMPLETED"}),
}


def signed(app_key, app_secret, path, query, body):
    params = {**{k: str(v) for k, v in query.items()}, "app_key": app_key, "timestamp": str(int(time.time()))}
    raw = json.dumps(body, separators=(",", ":")).encode()
    params["sign"] = sign_request(app_secret, path, params, raw, "application/json")
    return params, raw


def measure(orders: int, pages: int) -> dict:
    started = time.perf_counter()
    # The rate limit would turn a fast loop into 429s; this measures the work behind a page.
    config = SandboxConfig(shops=1, orders=orders, seed=42, rate_limit=1_000_000)
    app = create_sandbox_app(config)
    built = time.perf_counter() - started
    box = app.extensions["tiktok_sandbox"]
    token = box.state.issue_token(0, (0,))
    cipher = box.data.shops[0].cipher
    client = app.test_client()
    results = {"orders": orders, "build_seconds": round(built, 2)}
    for name, (query, body) in QUERIES.items():
        body = {k: (int(time.time()) - 30 * 86_400 if v is None else v) for k, v in body.items()}
        timings, page_token, walked = [], None, 0
        for _ in range(pages):
            q = {**query, "page_size": 100, "shop_cipher": cipher}
            if page_token:
                q["page_token"] = page_token
            params, raw = signed(config.app_key, config.app_secret, "/order/202309/orders/search", q, body)
            t0 = time.perf_counter()
            response = client.post(
                "/order/202309/orders/search",
                query_string=params,
                data=raw,
                headers={"content-type": "application/json", "x-tts-access-token": token.access_token},
            )
            timings.append((time.perf_counter() - t0) * 1000)
            payload = response.get_json()
            assert payload["code"] == 0, payload
            data = payload["data"]
            walked += len(data["orders"])
            page_token = data["next_page_token"]
            if not page_token:
                break
        timings.sort()
        results[name] = {
            "pages": len(timings),
            "orders_returned": walked,
            "p50_ms": round(statistics.median(timings), 2),
            "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
            "max_ms": round(timings[-1], 2),
        }
    box.webhooks.stop()
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=10_000)
    parser.add_argument("--pages", type=int, default=200)
    args = parser.parse_args()
    baseline = measure(args.baseline, args.pages)
    large = measure(args.orders, args.pages)
    report = {
        "benchmark": "sandbox_pages",
        "target": "100-order page under 20 ms of server time at 1,000,000 orders",
        "baseline": baseline,
        "large": large,
        "ratio_p95_large_over_baseline": {name: round(large[name]["p95_ms"] / baseline[name]["p95_ms"], 2) for name in QUERIES},
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "meets_target": all(large[name]["p95_ms"] < 20 for name in QUERIES),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
