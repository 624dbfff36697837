"""TikTok Shop's codes in the words a merchant uses in Seller Center. The admin pages show these
and keep the code in a tooltip for support; codes not listed read as their words
("AWAITING_SHIPMENT" -> "Awaiting shipment")."""

LABELS = {
    # promotion activities and coupons (status)
    "NOT_START": "Not started",
    "NOT_EFFECTIVE": "Not in effect",
    "FLASHSALE": "Flash sale",
    "BUY_MORE_SAVE_MORE": "Buy more, save more",
    # products (product status)
    "ACTIVATE": "Active",
    "SELLER_DEACTIVATED": "Deactivated by you",
    "PLATFORM_DEACTIVATED": "Deactivated by TikTok",
    "PENDING": "Pending review",
    "FAILED": "Failed",
    "FREEZE": "Frozen",
    # orders
    "AWAITING_SHIPMENT": "To ship",
    "PARTIALLY_SHIPPING": "Partly shipped",
    "AWAITING_COLLECTION": "Awaiting carrier pickup",
    "FULFILLMENT_BY_SELLER": "Shipped by you",
    "FULFILLMENT_BY_TIKTOK": "Fulfilled by TikTok",
    # packages
    "FULFILLING": "Being fulfilled",
    # returns and cancellations
    "REFUND": "Refund only",
    "RETURN_AND_REFUND": "Return and refund",
    "RETURN_OR_REFUND_REQUEST_PENDING": "Awaiting your decision",
    "REFUND_OR_RETURN_REQUEST_REJECT": "Rejected",
    "AWAITING_BUYER_SHIP": "Awaiting the buyer's return",
    "BUYER_SHIPPED_ITEM": "Buyer shipped the return",
    "REJECT_RECEIVE_PACKAGE": "Return package refused",
    "RETURN_OR_REFUND_REQUEST_SUCCESS": "Refunded",
    "RETURN_OR_REFUND_REQUEST_CANCEL": "Withdrawn by the buyer",
    "RETURN_OR_REFUND_REQUEST_COMPLETE": "Completed",
    "CANCELLATION_REQUEST_PENDING": "Cancellation awaiting your decision",
    "CANCELLATION_REQUEST_SUCCESS": "Cancelled",
    "CANCELLATION_REQUEST_CANCEL": "Cancellation withdrawn",
    "CANCELLATION_REQUEST_COMPLETE": "Cancelled",
    "BUYER_CANCEL": "Cancelled by the buyer",
    # finance
    "WITHDRAW": "Withdrawal to bank",
    "SETTLE": "Settlement",
    "TRANSFER": "Transfer",
    "REVERSE": "Reversal",
    # affiliate orders
    "FROZEN": "On hold",
    "DEDUCTED": "Deducted",
}
