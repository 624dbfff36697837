"""A shipped package's labels and packing slips: fetched from the marketplace the first time
someone asks, then served from the ERP's own copy (the marketplace's link to the file expires;
a label must print again next week)."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..hooks import get_connector
from ..models import OrderLine, SalesOrder, Shipment, ShippingDocument
from ..models.base import utcnow
from .tracking import LogisticsOff, has_shipped, require_logistics

__all__ = ["DocumentRefused", "LogisticsOff", "shipping_document"]

EXTENSIONS = {"application/pdf": "pdf", "image/png": "png"}


class DocumentRefused(Exception):
    """Asked of a package that does not exist here or has not shipped: ``status`` and why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def shipping_document(account, package_external_id: str, document_type: str, *, refresh: bool = False) -> ShippingDocument:
    """The stored document, fetched first when there is none (or ``refresh``). Raises
    ``DocumentRefused``, ``LogisticsOff`` (the Logistics toggle is off), ``Unsupported``, or the
    marketplace's error."""
    connector = get_connector(account.connector)()
    connector.require("sync")
    if document_type not in connector.document_types:
        raise DocumentRefused(404, f"no document type {document_type!r}; {connector.display_name} has: {', '.join(connector.document_types) or 'none'}")
    order = _order_of(account.id, package_external_id)
    if order is None:
        raise DocumentRefused(404, f"no synced package {package_external_id!r} (sync orders first)")
    require_logistics(account, connector, "print shipping documents")
    if not has_shipped(order):
        raise DocumentRefused(409, f"package {package_external_id} has not shipped: its documents exist once it has")
    stored = db.session.scalars(
        select(ShippingDocument).where(
            ShippingDocument.account_id == account.id,
            ShippingDocument.package_external_id == package_external_id,
            ShippingDocument.document_type == document_type,
        )
    ).first()
    if stored is not None and not refresh:
        return stored
    fetched = connector.shipping_document(account, package_external_id, document_type)
    if stored is None:
        stored = ShippingDocument(account_id=account.id, package_external_id=package_external_id, document_type=document_type)
        db.session.add(stored)
    stored.content, stored.content_type, stored.tracking_number, stored.fetched_at = fetched.content, fetched.content_type, fetched.tracking_number, utcnow()
    db.session.commit()
    return stored


def file_name(document: ShippingDocument) -> str:
    extension = EXTENSIONS.get(document.content_type, "bin")
    return f"{document.package_external_id}-{document.document_type.lower().replace('_', '-')}.{extension}"


def _order_of(account_id: int, package_external_id: str) -> SalesOrder | None:
    """The package's order: through the order lines that name it, or the package's own list."""
    order = db.session.scalars(
        select(SalesOrder)
        .join(OrderLine, OrderLine.order_id == SalesOrder.id)
        .where(SalesOrder.account_id == account_id, OrderLine.package_external_id == package_external_id)
        .limit(1)
    ).first()
    if order is not None:
        return order
    shipment = db.session.scalars(select(Shipment).where(Shipment.account_id == account_id, Shipment.external_id == package_external_id)).first()
    if shipment is None or not shipment.order_external_ids:
        return None
    return db.session.scalars(
        select(SalesOrder).where(SalesOrder.account_id == account_id, SalesOrder.external_id == str(shipment.order_external_ids[0]))
    ).first()
