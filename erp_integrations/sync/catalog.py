"""Products, their variants and stock per warehouse: one write routine for every connector.

A connector maps a page of its catalog into ``CatalogProduct`` entries (rows of
``erp_products`` and ``erp_product_variants`` without the ids the ERP assigns, and stock by
the marketplace's warehouse or location id); this writes them in four bulk statements,
whatever the marketplace: products, then the variants under the ids just written, then a
placeholder for each warehouse not synced yet (named by its id until the warehouses stream
names it), then the stock levels. A product older than the stored copy is skipped with its
variants, so a late page never rolls the catalog back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import Product, ProductVariant, StockLevel, Warehouse
from ..storage import bulk_upsert, ids_by_external_id, insert_missing


@dataclass(frozen=True)
class Stock:
    warehouse: str  # the marketplace's id of the warehouse or location
    available: int
    committed: int | None = None  # None: the page does not say; the stored figure stays


@dataclass
class CatalogVariant:
    row: dict  # an erp_product_variants row without account_id and product_id
    stock: list[Stock] = field(default_factory=list)


@dataclass
class CatalogProduct:
    row: dict  # an erp_products row without account_id
    variants: list[CatalogVariant] = field(default_factory=list)


def store_catalog(context, products: list[CatalogProduct]) -> None:
    account, account_id = context.account, context.account_id
    if not products:
        return
    product_ids = bulk_upsert(Product, [{**p.row, "account_id": account_id} for p in products], account=account).ids
    variants, stocked = [], []
    for product in products:
        product_id = product_ids.get((account_id, product.row["external_id"]))
        if product_id is None:
            continue  # an older copy than the one stored
        for variant in product.variants:
            row = {"remote_updated_at": product.row.get("remote_updated_at"), **variant.row, "account_id": account_id, "product_id": product_id}
            variants.append(row)
            stocked.append((row["external_id"], variant.stock))
    variant_ids = bulk_upsert(ProductVariant, variants, account=account).ids
    named = {entry.warehouse for _, stock in stocked for entry in stock}
    insert_missing(Warehouse, [{"account_id": account_id, "external_id": w, "name": w} for w in named], key=("account_id", "external_id"))
    warehouses = ids_by_external_id(Warehouse, account_id, named)
    levels = []
    for external_id, stock in stocked:
        variant_id = variant_ids.get((account_id, external_id))
        if variant_id is None:
            continue
        for entry in stock:
            level = {"account_id": account_id, "variant_id": variant_id, "warehouse_id": warehouses[entry.warehouse], "available": entry.available}
            levels.append(level if entry.committed is None else {**level, "committed": entry.committed})
    # A statement's columns are its first row's: levels that know the committed quantity and
    # those that do not are written apart.
    for group in ([r for r in levels if "committed" in r], [r for r in levels if "committed" not in r]):
        bulk_upsert(StockLevel, group, key=("variant_id", "warehouse_id"), account=account)
    context.count("products", len(product_ids))
    context.count("variants", len(variant_ids))
    context.count("stock_levels", len(levels))
