"""Every summary the projector keeps beyond the order facts and stock issues, in the order
they are refreshed (see ``app.repositories.report_summaries``)."""

from __future__ import annotations

from app.repositories.report_after_sales import AfterSalesSummary
from app.repositories.report_carrier_summary import CarrierSummary
from app.repositories.report_receivables import RECEIVABLES
from app.repositories.report_summaries import Summary

SUMMARIES: tuple[Summary, ...] = (CarrierSummary(), AfterSalesSummary(), RECEIVABLES)
