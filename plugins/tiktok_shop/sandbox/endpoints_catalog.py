"""Shops, products, inventory, prices and warehouses."""

from __future__ import annotations

import numpy as np
from flask import Flask, g, request

from . import documents as D
from .api_errors import ApiError, invalid_param, ok
from .data import PRODUCT_ID_BASE, SHOP_STRIDE, SKU_ID_BASE, Product, Sku
from .money import parse
from .paging import make_token, page_size, read_token
from .search import check_times
from .server import Endpoint, api_route, sandbox

PRODUCT_PARAM_ERROR = 12019008
SEARCH_LIMIT = (12052180, "The number of search results cannot exceed 10,000.", 200)
TOO_MANY_SELLER_SKUS = (12019027, "The number of seller_skus cannot exceed 10.", 200)
TOO_MANY_PRODUCT_IDS = (12019120, "The number of provided product IDs exceeds the limit.", 200)
SEARCHABLE_STATUSES = ("ALL", "DRAFT", "PENDING", "FAILED", "ACTIVATE", "SELLER_DEACTIVATED", "PLATFORM_DEACTIVATED", "FREEZE", "DELETED")


def stock_of(sku: Sku, warehouse: int) -> list[int]:
    return sku.stock[warehouse]


def product_or_error(product_id: str) -> Product:
    box, shop = sandbox(), g.shop
    product = box.data.product_by_id(shop, product_id)
    if product is None:
        raise ApiError((12052032, "The product does not exist", 200))
    return product


def register(app: Flask) -> None:
    @api_route(app, "GET", "/authorization/202309/shops", Endpoint("Shop Authorized Information", shop=False))
    def authorized_shops():
        box = sandbox()
        shops = [box.data.shops[i] for i in g.token.shops]
        return ok(
            {"shops": [{"id": s.id, "name": s.name, "region": s.region, "seller_type": s.seller_type, "cipher": s.cipher, "code": s.code} for s in shops]}
        )

    @api_route(app, "GET", "/seller/202309/shops", Endpoint("Shop Authorized Information", shop=False))
    def active_shops():
        box = sandbox()
        return ok({"shops": [{"id": box.data.shops[i].id, "region": box.data.shops[i].region} for i in g.token.shops]})

    @api_route(app, "GET", "/logistics/202309/warehouses", Endpoint("Logistics Basic"))
    def warehouses():
        shop = g.shop
        return ok(
            {
                "warehouses": [
                    {
                        "id": w.id,
                        "entity_id": w.id,
                        "name": w.name,
                        "effect_status": "ENABLED",
                        "type": w.type,
                        "sub_type": "DOMESTIC_WAREHOUSE",
                        "is_default": w.is_default,
                        "address": {
                            "region": shop.region,
                            "state": "",
                            "city": "Sandbox City",
                            "distict": "",
                            "town": "",
                            "contact_person": "Warehouse Desk",
                            "first_name": "Warehouse",
                            "last_name": "Desk",
                            "first_name_local_script": "",
                            "last_name_local_script": "",
                            "postal_code": "10001",
                            "full_address": f"1 Depot Way, Sandbox City, {shop.region}",
                            "region_code": shop.region,
                            "phone_number": "(+1)***-***-0000",
                            "address_line1": "1 Depot Way",
                            "address_line2": "",
                            "address_line3": "",
                            "address_line4": "",
                            "geolocation": {"latitude": "0", "longitude": "0"},
                        },
                    }
                    for w in shop.warehouses
                ]
            }
        )

    def products_search():
        shop, body, args = g.shop, g.body, request.args
        size = page_size(args.get("page_size"), 1, 100, None, PRODUCT_PARAM_ERROR)
        status = body.get("status", "ALL")
        if status not in SEARCHABLE_STATUSES:
            raise invalid_param(f"status must be one of {', '.join(SEARCHABLE_STATUSES)}", PRODUCT_PARAM_ERROR)
        seller_skus = body.get("seller_skus")
        if seller_skus is not None and len(seller_skus) > 10:
            raise ApiError(TOO_MANY_SELLER_SKUS)
        check_times(body, "create_time_ge", "create_time_le", "update_time_ge", "update_time_le")
        matched = []
        for product in shop.products:
            if status == "ALL" and product.status == "DELETED":
                continue
            if status != "ALL" and product.status != status:
                continue
            if seller_skus is not None and not any(s.seller_sku in seller_skus for s in product.skus):
                continue
            # Products filter with inclusive upper bounds (create_time_le / update_time_le).
            if body.get("create_time_ge") is not None and product.create_time < body["create_time_ge"]:
                continue
            if body.get("create_time_le") is not None and product.create_time > body["create_time_le"]:
                continue
            if body.get("update_time_ge") is not None and product.update_time < body["update_time_ge"]:
                continue
            if body.get("update_time_le") is not None and product.update_time > body["update_time_le"]:
                continue
            matched.append(product)
        filters = {"path": "products", **{k: body.get(k) for k in sorted(body)}}
        position = read_token(args.get("page_token"), filters, PRODUCT_PARAM_ERROR)
        start = int(position[0]) if position else 0
        if start + size > 10_000:
            raise ApiError(SEARCH_LIMIT)
        page = matched[start : start + size]
        token = make_token(filters, [start + size]) if start + size < len(matched) else ""
        return ok({"total_count": len(matched), "products": [D.product_summary(shop, p, stock_of) for p in page], "next_page_token": token})

    api_route(app, "POST", "/product/202309/products/search", Endpoint("Product Basic"))(products_search)
    api_route(app, "POST", "/product/202502/products/search", Endpoint("Product Basic"))(products_search)

    @api_route(app, "GET", "/product/202309/products/{product_id}", Endpoint("Product Basic"))
    def product_detail(product_id):
        return ok(D.product_detail(g.shop, product_or_error(product_id), stock_of))

    def write_result(product: Product) -> dict:
        return {
            "product_id": product.id,
            "skus": [
                {"id": s.id, "seller_sku": s.seller_sku, "sales_attributes": [{"id": "100000", "value_id": f"7{s.id[-8:]}"}], "external_sku_id": "", "fees": []}
                for s in product.skus
            ],
        }

    def read_skus(body: dict, shop, product: Product | None) -> list[Sku]:
        skus = body.get("skus")
        if not isinstance(skus, list) or not skus:
            raise invalid_param("skus is required: a list of at least one SKU", PRODUCT_PARAM_ERROR)
        made = []
        for k, raw in enumerate(skus):
            if not isinstance(raw, dict):
                raise invalid_param(f"skus[{k}] must be an object", PRODUCT_PARAM_ERROR)
            price = raw.get("price") or {}
            try:
                minor = parse(str(price.get("amount", "")), shop.decimals)
            except ValueError as exc:
                raise invalid_param(f"skus[{k}].price.amount: {exc}", PRODUCT_PARAM_ERROR) from None
            if price.get("currency") != shop.currency:
                raise invalid_param(f"skus[{k}].price.currency must be {shop.currency}", PRODUCT_PARAM_ERROR)
            stock = [[0, 0] for _ in range(2)]
            for entry in raw.get("inventory") or []:
                w = _warehouse_index(shop, entry.get("warehouse_id"))
                quantity = entry.get("quantity")
                if w is None or not isinstance(quantity, int) or quantity < 0:
                    raise invalid_param(f"skus[{k}].inventory needs a warehouse_id of this shop and a quantity >= 0", PRODUCT_PARAM_ERROR)
                stock[w][0] = quantity
            index = product.index if product else len(shop.products)
            made.append(
                Sku(
                    str(SKU_ID_BASE + shop.index * SHOP_STRIDE + index * 10 + k),
                    str(raw.get("seller_sku") or f"SKU-{shop.index}-{index:05d}-{k}"),
                    str(raw.get("sales_attributes", [{}])[0].get("value_name", "Default")) if raw.get("sales_attributes") else "Default",
                    minor,
                    stock,
                )
            )
        if len(made) > 10:
            raise invalid_param("a sandbox product has at most 10 SKUs", PRODUCT_PARAM_ERROR)
        return made

    @api_route(app, "POST", "/product/202309/products", Endpoint("Product Basic"))
    def product_create():
        box, shop, body = sandbox(), g.shop, g.body
        title = body.get("title")
        if not isinstance(title, str) or not 1 <= len(title) <= 255:
            raise invalid_param("title is required (1-255 characters)", PRODUCT_PARAM_ERROR)
        skus = read_skus(body, shop, None)
        now = box.clock()
        product = Product(len(shop.products), str(PRODUCT_ID_BASE + shop.index * SHOP_STRIDE + len(shop.products)), title, "PENDING", now, now, skus)
        shop.products.append(product)
        box.data.version += 1
        box.webhooks.product_event(shop, product, "PRODUCT_CREATION")
        return ok({**write_result(product), "warnings": []})

    def edit(product_id: str, partial: bool):
        box, shop, body = sandbox(), g.shop, g.body
        product = product_or_error(product_id)
        if product.status == "DELETED":
            raise ApiError((12052048, "You cannot edit the specified product(s) as it isn't listed in your account or shop.", 200))
        if "title" in body or not partial:
            title = body.get("title")
            if not isinstance(title, str) or not 1 <= len(title) <= 255:
                raise invalid_param("title is required (1-255 characters)", PRODUCT_PARAM_ERROR)
            product.title = title
        if "skus" in body or not partial:
            product.skus = read_skus(body, shop, product)
        product.update_time = box.clock()
        box.data.version += 1
        box.webhooks.product_event(shop, product, "PRODUCT_INFORMATION_CHANGE")
        return ok({**write_result(product), **({"audit": {"status": "AUDITING"}} if partial else {"warnings": []})})

    @api_route(app, "PUT", "/product/202309/products/{product_id}", Endpoint("Product Basic"))
    def product_edit(product_id):
        return edit(product_id, partial=False)

    @api_route(app, "POST", "/product/202309/products/{product_id}/partial_edit", Endpoint("Product Basic"))
    def product_partial_edit(product_id):
        return edit(product_id, partial=True)

    def change_status(target: str, allowed_from: tuple[str, ...], errors_with_extra: bool):
        box, shop, body = sandbox(), g.shop, g.body
        ids = body.get("product_ids")
        if not isinstance(ids, list) or not ids or not all(isinstance(x, str) for x in ids):
            raise invalid_param("product_ids is required: a list of product ids", PRODUCT_PARAM_ERROR)
        if len(ids) > 20:
            raise invalid_param("product_ids accepts at most 20 ids", PRODUCT_PARAM_ERROR)
        errors = []
        for product_id in ids:
            product = box.data.product_by_id(shop, product_id)
            if product is None or product.status not in allowed_from:
                detail = {"product_id": product_id}
                if errors_with_extra:
                    detail["extra_errors"] = []
                errors.append(
                    {
                        "code": 12052032 if product is None else 12052048,
                        "message": "The product does not exist" if product is None else f"The product is {product.status}",
                        "detail": detail,
                    }
                )
                continue
            product.status = target
            product.update_time = box.clock()
            box.webhooks.product_event(shop, product, "PRODUCT_STATUS_CHANGE")
        box.data.version += 1
        return ok({"errors": errors})

    @api_route(app, "POST", "/product/202309/products/activate", Endpoint("Product Basic"))
    def products_activate():
        return change_status("ACTIVATE", ("SELLER_DEACTIVATED", "DRAFT", "PENDING"), errors_with_extra=True)

    @api_route(app, "POST", "/product/202309/products/deactivate", Endpoint("Product Basic"))
    def products_deactivate():
        return change_status("SELLER_DEACTIVATED", ("ACTIVATE",), errors_with_extra=False)

    @api_route(app, "DELETE", "/product/202309/products", Endpoint("Product Basic"))
    def products_delete():
        return change_status("DELETED", ("ACTIVATE", "SELLER_DEACTIVATED", "DRAFT", "PENDING", "PLATFORM_DEACTIVATED", "FAILED"), errors_with_extra=False)

    @api_route(app, "POST", "/product/202309/inventory/search", Endpoint("Product Basic"))
    def inventory_search():
        box, shop, body = sandbox(), g.shop, g.body
        product_ids, sku_ids = body.get("product_ids"), body.get("sku_ids")
        if product_ids is None and sku_ids is None:
            raise invalid_param("product_ids or sku_ids is required", PRODUCT_PARAM_ERROR)
        if product_ids is not None and len(product_ids) > 100:
            raise ApiError(TOO_MANY_PRODUCT_IDS)
        if sku_ids is not None and len(sku_ids) > 600:
            raise invalid_param("sku_ids accepts at most 600 ids", PRODUCT_PARAM_ERROR)
        chosen: dict[str, tuple[Product, list[Sku]]] = {}
        for product_id in product_ids or []:
            product = box.data.product_by_id(shop, product_id)
            if product is not None:
                chosen[product.id] = (product, list(product.skus))
        for sku_id in sku_ids or []:
            found = box.data.sku_by_id(shop, sku_id)
            if found is not None:
                product, sku = found
                entry = chosen.setdefault(product.id, (product, []))
                if sku not in entry[1]:
                    entry[1].append(sku)
        inventory = []
        for product, skus in chosen.values():
            inventory.append(
                {
                    "product_id": product.id,
                    "skus": [
                        {
                            "id": sku.id,
                            "seller_sku": sku.seller_sku,
                            "total_available_quantity": sum(s[0] for s in sku.stock),
                            "total_committed_quantity": sum(s[1] for s in sku.stock),
                            "warehouse_inventory": [
                                {"warehouse_id": shop.warehouses[w].id, "available_quantity": sku.stock[w][0], "committed_quantity": sku.stock[w][1]}
                                for w in range(len(sku.stock))
                            ],
                            "total_available_inventory_distribution": {
                                "campaign_inventory": [],
                                "creator_inventory": [],
                                "in_shop_inventory": {"quantity": sum(s[0] for s in sku.stock)},
                            },
                        }
                        for sku in skus
                    ],
                }
            )
        return ok({"inventory": inventory})

    @api_route(app, "POST", "/product/202309/products/{product_id}/inventory/update", Endpoint("Product Basic"))
    def inventory_update(product_id):
        box, shop, body = sandbox(), g.shop, g.body
        product = product_or_error(product_id)
        skus = body.get("skus")
        if not isinstance(skus, list) or not skus:
            raise ApiError((12052036, "The SKU ID is necessary", 200))
        errors = []
        by_id = {s.id: s for s in product.skus}
        for entry in skus:
            sku = by_id.get(str(entry.get("id"))) if isinstance(entry, dict) else None
            if sku is None:
                errors.append(
                    {
                        "code": 12052031,
                        "message": "Invalid product ID(s) found",
                        "detail": {"sku_id": str(entry.get("id") if isinstance(entry, dict) else ""), "extra_errors": []},
                    }
                )
                continue
            extra = []
            updates = []
            for line in entry.get("inventory") or []:
                w = _warehouse_index(shop, line.get("warehouse_id"))
                quantity = line.get("quantity")
                if w is None or w >= len(sku.stock):
                    extra.append({"warehouse_id": str(line.get("warehouse_id")), "code": 12052097, "message": "The warehouse does not exist"})
                elif not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 <= quantity <= 999_999:
                    extra.append({"warehouse_id": str(line.get("warehouse_id")), "code": 12019024, "message": "stock count is invalid"})
                else:
                    updates.append((w, quantity))
            if extra or not updates:
                errors.append(
                    {
                        "code": 12019022 if not updates and not extra else extra[0]["code"],
                        "message": "SKU must contain a valid warehouse." if not updates and not extra else extra[0]["message"],
                        "detail": {"sku_id": sku.id, "extra_errors": extra},
                    }
                )
                continue
            for w, quantity in updates:
                sku.stock[w][0] = quantity
        box.data.version += 1
        return ok({"errors": errors})

    @api_route(app, "POST", "/product/202309/products/{product_id}/prices/update", Endpoint("Product Basic"))
    def prices_update(product_id):
        box, shop, body = sandbox(), g.shop, g.body
        product = product_or_error(product_id)
        skus = body.get("skus")
        if not isinstance(skus, list) or not skus:
            raise ApiError((12052036, "The SKU ID is necessary", 200))
        by_id = {s.id: s for s in product.skus}
        changes = []
        for k, entry in enumerate(skus):
            sku = by_id.get(str(entry.get("id"))) if isinstance(entry, dict) else None
            if sku is None:
                raise invalid_param(f"skus[{k}].id is not a SKU of product {product.id}", PRODUCT_PARAM_ERROR)
            price = entry.get("price") or {}
            if price.get("currency") != shop.currency:
                raise invalid_param(f"skus[{k}].price.currency must be {shop.currency}", PRODUCT_PARAM_ERROR)
            try:
                minor = parse(str(price.get("amount", "")), shop.decimals)
            except ValueError as exc:
                raise invalid_param(f"skus[{k}].price.amount: {exc}", PRODUCT_PARAM_ERROR) from None
            if minor <= 0:
                raise invalid_param(f"skus[{k}].price.amount must be positive", PRODUCT_PARAM_ERROR)
            changes.append((sku, minor))
        for sku, minor in changes:
            sku.price = minor
        product.update_time = box.clock()
        box.data.version += 1
        return ok({})


def _warehouse_index(shop, warehouse_id) -> int | None:
    for w, warehouse in enumerate(shop.warehouses[:2]):
        if warehouse.id == str(warehouse_id):
            return w
    return None


__all__ = ["register", "np"]
