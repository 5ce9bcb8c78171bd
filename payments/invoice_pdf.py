"""The invoices as PDF (fpdf2): the provider's invoice to the customer and the platform's fee
receipt to the provider. This module only draws what it is given (payments.services.invoices
decides the figures); amounts are integer cents.

Names can be in any script, so the text font is DejaVu Sans when the machine has it (Debian's
fonts-dejavu-core); without it, the PDF's built-in Helvetica, which covers Latin-1 only, and
any other character is drawn as "?" rather than failing the invoice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from fpdf import FPDF

from .money import dollars

UNICODE_FONTS: tuple[Path, Path] | None = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)
_CORE_FONT = "helvetica"
_UNICODE_FONT = "dejavu"


@dataclass(frozen=True)
class Party:
    name: str
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Document:
    """One invoice as it is printed: a title ("Tax invoice", "Invoice"...), its number and
    date, who issues it to whom, what it is for, and (label, cents) lines; `gst_cents` is the
    GST included in the total (None: no GST shown)."""

    title: str
    number: str
    issued_on: date
    issuer: Party
    recipient: Party
    description: list[str]
    lines: list[tuple[str, int]]
    total_label: str
    total_cents: int
    gst_cents: int | None
    footer: str


def _fonts(pdf: FPDF) -> str:
    regular, bold = UNICODE_FONTS or (None, None)
    if regular and bold and regular.exists() and bold.exists():
        pdf.add_font(_UNICODE_FONT, "", str(regular))
        pdf.add_font(_UNICODE_FONT, "B", str(bold))
        return _UNICODE_FONT
    return _CORE_FONT


class _Writer:
    def __init__(self) -> None:
        self.pdf = FPDF(format="A4")
        self.pdf.set_margins(20, 20, 20)
        self.pdf.set_auto_page_break(auto=True, margin=20)
        self.pdf.add_page()
        self.font = _fonts(self.pdf)

    def text(self, value: str) -> str:
        if self.font == _CORE_FONT:
            return value.encode("latin-1", "replace").decode("latin-1")
        return value

    def line(self, value: str, *, size: int = 10, bold: bool = False, height: float = 5) -> None:
        self.pdf.set_font(self.font, "B" if bold else "", size)
        self.pdf.multi_cell(0, height, self.text(value), new_x="LMARGIN", new_y="NEXT")

    def amount(self, label: str, cents: int, *, bold: bool = False) -> None:
        self.pdf.set_font(self.font, "B" if bold else "", 11)
        width = self.pdf.epw
        self.pdf.cell(width * 0.7, 7, self.text(label), border="B")
        self.pdf.cell(width * 0.3, 7, dollars(cents), border="B", align="R")
        self.pdf.ln(7)

    def gap(self, height: float = 4) -> None:
        self.pdf.ln(height)


def _party(writer: _Writer, heading: str, party: Party) -> None:
    writer.line(heading, size=9)
    writer.line(party.name, bold=True, size=11)
    for text in party.lines:
        writer.line(text)
    writer.gap()


def invoice_pdf(document: Document) -> bytes:
    """The document as PDF bytes."""
    writer = _Writer()
    writer.pdf.set_title(f"{document.title} {document.number}")
    writer.pdf.set_creator("Nearhand")
    writer.line(document.title, size=20, bold=True, height=10)
    writer.line(f"Number: {document.number}")
    writer.line(f"Date: {document.issued_on:%d %B %Y}")
    writer.gap(6)
    _party(writer, "From", document.issuer)
    _party(writer, "To", document.recipient)
    for text in document.description:
        writer.line(text)
    writer.gap(6)
    for label, cents in document.lines:
        writer.amount(label, cents)
    writer.amount(document.total_label, document.total_cents, bold=True)
    if document.gst_cents is not None:
        writer.amount("GST included in the total", document.gst_cents)
    writer.gap(8)
    writer.line(document.footer, size=9)
    return bytes(writer.pdf.output())
