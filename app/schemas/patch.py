"""Partial updates: a field left out stays as it is; ``null`` is only accepted where the
resource allows an empty value, so a PATCH cannot null a required column."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, TypeAlias, TypeVar

from pydantic import ValidatorFunctionWrapHandler, WrapValidator
from pydantic_core import PydanticCustomError

T = TypeVar("T")


def _present(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    if value is None:
        raise PydanticCustomError("not_nullable", "This field may be left out, but not null.")
    return handler(value)


# ``name: Patch[Name] = None``: optional in the document, refused when sent as null.
# Type checkers see ``Name | None`` (the value is None when left out); pydantic validates a
# plain ``Name`` behind the null check, so the schema, error paths and rules stay those of Name.
if TYPE_CHECKING:
    Patch: TypeAlias = T | None
else:
    Patch = Annotated[T, WrapValidator(_present)]
