"""Bin locations: zone-aisle-shelf-bin, the coordinates a pick path walks."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from app.domain.errors import RuleViolation


@dataclass(frozen=True)
class BinCode:
    zone: str
    aisle: str
    shelf: str
    bin: str

    def __str__(self) -> str:
        return f"{self.zone}-{self.aisle}-{self.shelf}-{self.bin}"

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def parse_bin_code(text: str) -> BinCode:
    """``A-03-2-07`` → BinCode(zone="A", aisle="03", shelf="2", bin="07"); case is kept."""
    parts = text.strip().split("-")
    if len(parts) != 4 or not all(p.isalnum() and len(p) <= 16 for p in parts):
        raise RuleViolation.on(
            "location", "bin_format", "A bin location is zone-aisle-shelf-bin, e.g. A-03-2-07."
        )
    return BinCode(*parts)
