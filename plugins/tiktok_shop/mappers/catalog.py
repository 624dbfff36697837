"""Products, SKUs, warehouses and stock."""

from erp_integrations.mapping import Mapper, dig, money, text, unix
from erp_integrations.models import Product, ProductVariant, Warehouse


class ProductMapper(Mapper):
    model = Product
    columns = {
        "external_id": text("id"),
        "title": text("title"),
        "status": text("status"),
        "remote_created_at": unix("create_time"),
        "remote_updated_at": unix("update_time"),
    }


class VariantMapper(Mapper):
    model = ProductVariant
    columns = {
        "external_id": text("id"),
        "seller_sku": text("seller_sku"),
        "price": lambda d: money("price.sale_price")(d) if dig(d, "price.sale_price") not in (None, "") else money("price.tax_exclusive_price")(d),
        "currency": text("price.currency"),
    }


class WarehouseMapper(Mapper):
    model = Warehouse
    columns = {
        "external_id": text("id"),
        "name": text("name"),
        "kind": text("type"),
        "is_default": lambda d: bool(d.get("is_default")),
    }
