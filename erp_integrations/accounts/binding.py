"""Binding an account to exactly one marketplace shop.

Every ERP row an account syncs is tied to that account, so the shop behind it must be the one
the admin meant, and never the shop of another account. After Connect & Authorize:

- a creator account has no shop and is connected as it is;
- no authorized shop: not connected (the seller has no active shop, or a creator logged in as
  a seller), the tokens are dropped, and the message says what to do in Seller Center;
- the account's settings name a shop (its shop setting, e.g. TikTok's shop cipher): that one,
  if it was authorized; otherwise the admin chooses;
- one authorized shop: bound, if its region is the account's;
- several: the account waits in ``choose_shop`` and the admin picks one from the list.

Whatever the path, a shop in another region than the account's is refused (naming both), a shop
bound to another account of the connector is refused (naming that account; a unique index
enforces it too), and an account that already synced one shop is never moved to another.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..alerts import resolve_alerts
from ..crypto.vault import CredentialVault
from ..extensions import db
from ..models import AccountStatus, IntegrationAccount, SyncRun

TOKEN_NAMES = ("access_token", "refresh_token")
NO_SHOP_MESSAGE = (
    "No active shop was authorized: create or reactivate the shop in Seller Center (a creator account "
    "cannot authorize as a seller), then use Connect & Authorize again."
)


@dataclass(frozen=True)
class AuthorizedShop:
    """A shop the seller's grant covers. ``key`` is the value of the connector's shop setting
    that selects it (TikTok: the shop cipher)."""

    id: str
    key: str
    name: str = ""
    region: str | None = None
    seller_type: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class BindingRefused(Exception):
    """The shop cannot be bound to this account; ``field`` names the setting at fault."""

    def __init__(self, message: str, *, field: str = "shop", status: int = 422):
        super().__init__(message)
        self.message, self.field, self.status = message, field, status


@dataclass(frozen=True)
class BindingOutcome:
    status: str  # connected, choose_shop, refused
    message: str
    bound_shop: AuthorizedShop | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"binding": self.status, "message": self.message, "bound_shop": self.bound_shop.as_dict() if self.bound_shop else None}


def authorized_shops(account: IntegrationAccount) -> list[AuthorizedShop]:
    return [AuthorizedShop(**{k: s.get(k) for k in ("id", "key", "name", "region", "seller_type")}) for s in (account.auth_info or {}).get("shops", [])]


def shop_label(shop: AuthorizedShop) -> str:
    """The shop's name, with its region unless the name already says it."""
    name = shop.name or shop.id
    return f"{name} ({shop.region})" if shop.region and f"({shop.region})" not in name else name


def bind_after_authorization(account: IntegrationAccount, connector, shops: list[AuthorizedShop], *, creator: bool = False) -> BindingOutcome:
    """Record the authorized shops and bind, or leave the account waiting, per the rules above.
    The tokens are already stored; the caller commits nothing, this does."""
    info = dict(account.auth_info or {})
    info["shops"] = [s.as_dict() for s in shops]
    account.auth_info = info
    account.authorized_at = datetime.now(UTC)
    if creator:
        return _connected(account, None, "Connected: a creator account (affiliate data only).")
    if not shops:
        return _refuse(account, NO_SHOP_MESSAGE)
    setting = connector.shop_setting
    wanted = (account.config or {}).get(setting)
    if wanted:
        chosen = next((s for s in shops if s.key == wanted), None)
        if chosen is None:
            return _waiting(
                account, f"The shop named in this account's settings was not among the shops you authorized: choose one of the {len(shops)} authorized shops."
            )
    elif len(shops) == 1:
        chosen = shops[0]
    else:
        return _waiting(account, f"{len(shops)} shops were authorized: choose the one this account syncs.")
    try:
        check_shop(account, connector, chosen)
    except BindingRefused as exc:
        if len(shops) > 1:
            return _waiting(account, exc.message)
        return _refuse(account, exc.message)
    _bind(account, connector, chosen)
    return _connected(account, chosen, f"Connected to {shop_label(chosen)}.")


def choose_shop(account: IntegrationAccount, connector, key: Any) -> BindingOutcome:
    """The admin's pick among the authorized shops (the settings page or the API)."""
    if not isinstance(key, str) or not key:
        raise BindingRefused("choose one of the authorized shops")
    shop = find_authorized(account, key)
    if account.status not in (AccountStatus.CHOOSE_SHOP, AccountStatus.CONNECTED) or not CredentialVault(db.session).get(account, "access_token"):
        raise BindingRefused("authorize the account first (Connect & Authorize), then choose its shop", status=409)
    check_shop(account, connector, shop)
    _bind(account, connector, shop)
    return _connected(account, shop, f"Connected to {shop_label(shop)}.")


def find_authorized(account: IntegrationAccount, key: str) -> AuthorizedShop:
    shops = authorized_shops(account)
    for shop in shops:
        if shop.key == key:
            return shop
    names = ", ".join(shop_label(s) for s in shops) or "none"
    raise BindingRefused(f"not among the shops this account's authorization covers (authorized: {names}); use Connect & Authorize to add a shop")


def check_shop(account: IntegrationAccount, connector, shop: AuthorizedShop, region: str | None = None) -> None:
    """Refuse a shop of another region (``region``: the account's, or the one being saved), one
    bound to another account, or a move of an account that already holds another shop's data."""
    region = region or account.region
    if shop.region and region and shop.region != region:
        raise BindingRefused(
            f"{shop.name or shop.id} is a {shop.region} shop but this account is set up for {region}: "
            f"add an account for {shop.region}, or authorize the {region} shop",
            field="region",
        )
    holder = db.session.scalar(
        select(IntegrationAccount).where(
            IntegrationAccount.connector == account.connector, IntegrationAccount.external_shop_id == shop.id, IntegrationAccount.id != account.id
        )
    )
    if holder is not None:
        raise BindingRefused(
            f"{shop_label(shop)} is already bound to the account {holder.name!r} (id {holder.id}); a shop syncs into one account only", status=409
        )
    if account.external_shop_id and account.external_shop_id != shop.id and _has_synced(account):
        raise BindingRefused(
            f"this account already holds the data of another shop ({account.external_shop_id}); add a new account for {shop_label(shop)}", status=409
        )


def check_shop_setting(account: IntegrationAccount, connector, data: dict[str, Any]) -> None:
    """Settings saved by hand: a shop typed in must be authorized (once the account has been),
    and the region must stay the bound shop's."""
    setting = connector.shop_setting
    wanted, current = data.get(setting), (account.config or {}).get(setting)
    shops = authorized_shops(account)
    try:
        if wanted and wanted != current and (shops or account.authorized_at):
            shop = find_authorized(account, wanted)
            check_shop(account, connector, shop, data.get("region"))
        bound = next((s for s in shops if s.id == account.external_shop_id), None)
        region = data.get("region")
        if bound is not None and region and bound.region and region != bound.region and (not wanted or wanted == bound.key):
            raise BindingRefused(f"this account is bound to {shop_label(bound)}; its region stays {bound.region}", field="region")
    except BindingRefused as exc:
        from .service import AccountValidationError

        field = setting if exc.field == "shop" else exc.field
        raise AccountValidationError({field: [exc.message]}, exc.message, status=exc.status) from None


def rebind_from_settings(account: IntegrationAccount, connector) -> None:
    """After settings that name another authorized shop were saved: bind it."""
    wanted = (account.config or {}).get(connector.shop_setting)
    shop = next((s for s in authorized_shops(account) if s.key == wanted), None)
    if shop is not None and shop.id != account.external_shop_id:
        _bind(account, connector, shop)
        if account.status == AccountStatus.CHOOSE_SHOP:
            account.status = AccountStatus.CONNECTED


def _has_synced(account: IntegrationAccount) -> bool:
    return db.session.scalar(select(SyncRun.id).where(SyncRun.account_id == account.id).limit(1)) is not None


def _bind(account: IntegrationAccount, connector, shop: AuthorizedShop) -> None:
    config = dict(account.config or {})
    config[connector.shop_setting] = shop.key
    account.config = config
    account.external_shop_id = shop.id


def _connected(account: IntegrationAccount, shop: AuthorizedShop | None, message: str) -> BindingOutcome:
    was_paused = account.status == AccountStatus.NEEDS_REAUTH
    account.status = AccountStatus.CONNECTED
    _commit(account)
    resolve_alerts(account.id, "needs_reauth")
    if was_paused:
        # Authorized again: every stream continues now from its cursor (those that were queued
        # while the account waited were skipped), not at the next scheduled sync, or never on a
        # manual interval.
        from ..sync.enqueue import enqueue_sync

        enqueue_sync(account, trigger="recovery")
    return BindingOutcome("connected", message, shop)


def _waiting(account: IntegrationAccount, message: str) -> BindingOutcome:
    account.status = AccountStatus.CHOOSE_SHOP
    _commit(account)
    return BindingOutcome("choose_shop", message)


def _refuse(account: IntegrationAccount, message: str) -> BindingOutcome:
    """Nothing to bind: the grant is of no use to this account, so its tokens go."""
    vault = CredentialVault(db.session)
    for name in TOKEN_NAMES:
        vault.put(account, name, None)
    account.access_expires_at = account.refresh_expires_at = None
    if account.status != AccountStatus.CONNECTED or not account.external_shop_id:
        account.status = AccountStatus.NEW
    else:
        account.status = AccountStatus.NEEDS_REAUTH
    _commit(account)
    return BindingOutcome("refused", message)


def _commit(account: IntegrationAccount) -> None:
    try:
        db.session.commit()
    except IntegrityError:
        # Another request bound the same shop first: the unique index stopped it.
        db.session.rollback()
        raise BindingRefused("this shop was bound to another account at the same moment; reload and choose again", status=409) from None
