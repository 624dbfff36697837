"""Products, SKUs, warehouses and their delivery options, and stock."""

from erp_integrations.mapping import Mapper, dig, integer, money, text, unix
from erp_integrations.models import DeliveryOption, Product, ProductVariant, Warehouse


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


class DeliveryOptionMapper(Mapper):
    """One entry of Get Warehouse Delivery Options; its carriers come from Get Shipping
    Providers, one call per option."""

    model = DeliveryOption
    columns = {
        "external_id": text("id"),
        "name": text("name"),
        "type": text("type"),
        "description": text("description"),
        "max_weight": integer("weight_limit.max_weight"),
        "min_weight": integer("weight_limit.min_weight"),
        "weight_unit": text("weight_limit.unit"),
        "max_length": integer("dimension_limit.max_length"),
        "max_width": integer("dimension_limit.max_width"),
        "max_height": integer("dimension_limit.max_height"),
        "dimension_unit": text("dimension_limit.unit"),
    }
