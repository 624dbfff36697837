"""Statements, statement transactions (settled and not yet), payments and withdrawals."""

from erp_integrations.mapping import Mapper, money, text, unix
from erp_integrations.models import FinanceStatement, Payout, StatementTransaction, Withdrawal


class StatementMapper(Mapper):
    model = FinanceStatement
    columns = {
        "external_id": text("id"),
        "statement_time": unix("statement_time"),
        "remote_updated_at": unix("statement_time"),
        "currency": text("currency"),
        "settlement_amount": money("settlement_amount"),
        "revenue_amount": money("revenue_amount"),
        "fee_amount": money("fee_amount"),
        "adjustment_amount": money("adjustment_amount"),
        "shipping_cost_amount": money("shipping_cost_amount"),
        "net_sales_amount": money("net_sales_amount"),
        "payment_status": text("payment_status"),
        "payment_external_id": text("payment_id"),
    }


class TransactionMapper(Mapper):
    """One settled transaction of a statement (202501 shape)."""

    model = StatementTransaction
    columns = {
        "external_id": text("id"),
        "order_external_id": text("order_id"),
        "type": text("type"),
        "order_created_at": unix("order_create_time"),
        "revenue_amount": money("revenue_amount"),
        "fee_amount": money("fee_tax_amount"),
        "shipping_cost_amount": money("shipping_cost_amount"),
        "affiliate_commission_amount": money("fee_tax_breakdown.fee.affiliate_commission_amount"),
        "platform_commission_amount": money("fee_tax_breakdown.fee.platform_commission_amount"),
        "settlement_amount": money("settlement_amount"),
    }


class UnsettledMapper(Mapper):
    """An order's estimated settlement before it lands on a statement (202507 shape)."""

    model = StatementTransaction
    columns = {
        "external_id": lambda d: f"unsettled:{d['order_id']}",
        "order_external_id": text("order_id"),
        "type": text("type"),
        "order_created_at": unix("order_create_time"),
        "revenue_amount": money("est_revenue_amount"),
        "fee_amount": money("est_fee_tax_amount"),
        "shipping_cost_amount": money("est_shipping_cost_amount"),
        "affiliate_commission_amount": money("fee_tax_breakdown.fee.affiliate_commission_amount"),
        "platform_commission_amount": money("fee_tax_breakdown.fee.platform_commission_amount"),
        "settlement_amount": money("est_settlement_amount"),
    }


class PaymentMapper(Mapper):
    model = Payout
    columns = {
        "external_id": text("id"),
        "status": text("status"),
        "currency": text("amount.currency"),
        "amount": money("amount.value"),
        "settlement_amount": money("settlement_amount.value"),
        "reserve_amount": money("reserve_amount.value"),
        "remote_created_at": unix("create_time"),
        "remote_updated_at": lambda d: unix("paid_time")(d) or unix("create_time")(d),
        "paid_at": unix("paid_time"),
        "bank_account": text("bank_account"),
    }


class WithdrawalMapper(Mapper):
    model = Withdrawal
    columns = {
        "external_id": text("id"),
        "type": text("type"),
        "status": text("status"),
        "currency": text("currency"),
        "amount": money("amount"),
        "remote_created_at": unix("create_time"),
    }
