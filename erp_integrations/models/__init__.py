"""All tables, imported together so that ``Base.metadata`` is complete for Alembic."""

from .base import Base, UTCDateTime, utcnow
from .erp import (
    AffiliateOrder,
    AffiliateOrderLine,
    AfterSale,
    Creator,
    DeliveryOption,
    FinanceStatement,
    LiveSession,
    OrderLine,
    OrderStatusChange,
    Payout,
    Product,
    ProductVariant,
    Promotion,
    PromotionProduct,
    SalesOrder,
    Shipment,
    ShippingDocument,
    ShopPerformanceDay,
    ShopServiceDay,
    StatementTransaction,
    StockLevel,
    Warehouse,
    Withdrawal,
)
from .income import IncomeSigningKey
from .integration import (
    AccountCredential,
    AccountStatus,
    Alert,
    ExternalRef,
    IntegrationAccount,
    IntegrationLog,
    PushRequest,
    SyncCursor,
    SyncRun,
    WebhookEvent,
)
from .rollups import ReportDay, ReportItem, ReportItemMonth, RollupMark, RollupState
from .users import SignInAttempt, User, user_accounts

__all__ = [name for name in dir() if not name.startswith("_")]
