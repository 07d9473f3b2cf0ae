"""What every finance and route document is printed with: the issuing company, the language
(the customer's unless the caller asks for another) and the page size (the company's default
unless the caller asks for another)."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.documents.company import DEFAULT_NAME
from app.domain.documents.labels import LANGUAGES
from app.domain.documents.model import Company, PageSize
from app.services.documents.company import load_company_settings
from app.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class PrintOptions:
    """``language``/``page_size`` None: the customer's language, the company's page size;
    ``default_name``: the company's name while the admin has set none; ``public_base_url``:
    where customers reach Lading (public links printed as QR codes)."""

    language: str | None = None
    page_size: PageSize | None = None
    default_name: str = DEFAULT_NAME
    public_base_url: str | None = None

    def language_for(self, customer_language: str | None) -> str:
        """The caller's choice, else the customer's, else zh-CN (warehouse-internal)."""
        language = self.language or customer_language or "zh-CN"
        return language if language in LANGUAGES else "zh-CN"


@dataclass(frozen=True)
class Frame:
    company: Company
    language: str
    page_size: PageSize


async def frame_of(uow: UnitOfWork, options: PrintOptions, customer_language: str | None) -> Frame:
    """The company, language and page size of one document (in an entered unit of work)."""
    settings, _ = await load_company_settings(uow)
    return Frame(
        company=settings.company(options.default_name),
        language=options.language_for(customer_language),
        page_size=options.page_size or settings.page_size,
    )
