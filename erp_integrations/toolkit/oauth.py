"""Connect & Authorize, the host's half: one sequence for every connector.

The seller consents on the marketplace's page (``Connector.authorization_url``) and comes back
to the host's callback with a code and the state that names the account. Then, whatever the
marketplace: the code is exchanged once (``exchange_code``: codes are single-use), the grant
is stored at once (so a failure after this point never loses it), the shops the grant covers
are listed with the new access token (``authorized_shops``), and the account is bound to one
of them, refusing a shop of another region or one another account holds
(``accounts.binding``). A connector supplies only the two marketplace calls.
"""

from __future__ import annotations

from ..accounts.binding import bind_after_authorization
from .tokens import store_tokens


def complete_authorization(connector, account, code: str, callback: dict) -> dict:
    client = connector.client(account, with_tokens=False)
    grant = connector.exchange_code(client, code, callback)
    store_tokens(account, grant)
    client.access_token = grant.access_token
    # A creator's grant is a person's, not a shop's: nothing to bind.
    creator = connector.is_creator_grant(grant)
    shops = [] if creator else connector.authorized_shops(client, grant, callback)
    outcome = bind_after_authorization(account, connector, shops, creator=creator)
    return {"shops": [shop.as_dict() for shop in shops], **outcome.as_dict()}
