"""SCIM filters (RFC 7644 §3.4.2.2, parsed by ``scim2-models``) compiled to SQL.

Filters run in the database, so a list stays one indexed query however many users a group
has. The attributes a directory filters on are supported: for Users ``userName``,
``externalId``, ``emails.value`` (also ``emails[value ...]``), ``active``, ``id`` and
``displayName``; for Groups ``displayName``, ``externalId``, ``id`` and ``members.value``;
with ``and``, ``or``, ``not`` and the operators ``eq ne co sw ew pr``. Anything else is refused
with ``invalidFilter`` naming what is supported, never answered wrongly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scim2_models import InvalidFilterException
from scim2_models.path.expressions import (
    AttrPath,
    CompareOperator,
    Comparison,
    FilterNode,
    LogicalExpr,
    LogicalOperator,
    Not,
    Present,
    ValuePath,
)
from sqlalchemy import ColumnElement, and_, exists, func, not_, or_, select, true

from ..models import User
from .models import ScimGroup, ScimGroupMember, ScimUser, ScimUserEmail

__all__ = ["FilterCompiler", "GROUP_FILTERS", "USER_FILTERS"]

Column = Any
_ESCAPE = "\\"


def _like(value: str) -> str:
    return value.replace(_ESCAPE, _ESCAPE * 2).replace("%", "\\%").replace("_", "\\_")


def _string(column: Column, op: CompareOperator, value: Any, *, fold: bool) -> Any:
    """A comparison of a text column; ``fold`` for attributes that are not case-exact (the
    column then holds the case-folded text)."""
    if not isinstance(value, str):
        raise InvalidFilterException(detail=f"compare this attribute with a string, not {value!r}")
    text = value.casefold() if fold else value
    if op is CompareOperator.eq:
        return column == text
    if op is CompareOperator.ne:
        return or_(column != text, column.is_(None))
    pattern = {CompareOperator.co: "%{}%", CompareOperator.sw: "{}%",
               CompareOperator.ew: "%{}"}.get(op)
    if pattern is None:
        raise InvalidFilterException(detail=f"'{op.value}' does not apply to text here: use eq, "
                                     "ne, co, sw, ew or pr")
    return column.like(pattern.format(_like(text)), escape=_ESCAPE)


def _boolean(column: Column, op: CompareOperator, value: Any) -> Any:
    if not isinstance(value, bool) or op not in (CompareOperator.eq, CompareOperator.ne):
        raise InvalidFilterException(detail="compare a boolean with eq or ne and true or false")
    return column.is_(value) if op is CompareOperator.eq else column.is_not(value)


@dataclass(frozen=True)
class Attribute:
    """How one filterable attribute compares: ``compare(op, value)`` and ``present()``."""

    compare: Callable[[CompareOperator, Any], Any]
    present: Callable[[], Any]


def _text(column: Column, *, fold: bool = False) -> Attribute:
    return Attribute(lambda op, v: _string(column, op, v, fold=fold),
                     lambda: and_(column.is_not(None), column != ""))


def _email() -> Attribute:
    def inside(clause: Any) -> Any:
        return exists(select(ScimUserEmail.id).where(ScimUserEmail.user_id == ScimUser.user_id,
                                                     clause))

    def compare(op: CompareOperator, value: Any) -> Any:
        if op is CompareOperator.ne:
            return not_(inside(_string(ScimUserEmail.value_key, CompareOperator.eq, value,
                                       fold=True)))
        return inside(_string(ScimUserEmail.value_key, op, value, fold=True))

    return Attribute(compare, lambda: inside(true()))


def _member() -> Attribute:
    def compare(op: CompareOperator, value: Any) -> Any:
        if op is not CompareOperator.eq:
            raise InvalidFilterException(detail="filter members with 'members.value eq'")
        return exists(select(ScimGroupMember.user_id).where(
            ScimGroupMember.group_id == ScimGroup.id, ScimGroupMember.user_id == str(value)))

    return Attribute(compare, lambda: exists(select(ScimGroupMember.user_id).where(
        ScimGroupMember.group_id == ScimGroup.id)))


USER_FILTERS: dict[str, Attribute] = {
    "username": _text(ScimUser.user_name_key, fold=True),
    "externalid": _text(ScimUser.external_id),
    "emails": _email(),
    "emails.value": _email(),
    "active": Attribute(lambda op, v: _boolean(User.active, op, v), lambda: true()),
    "id": _text(ScimUser.user_id),
    "displayname": _text(func.lower(User.display_name), fold=True),
}
"""The User attributes a filter may name (lower-cased paths); the query joins ``User``."""

GROUP_FILTERS: dict[str, Attribute] = {
    "displayname": _text(ScimGroup.display_name_key, fold=True),
    "externalid": _text(ScimGroup.external_id),
    "id": _text(ScimGroup.id),
    "members": _member(),
    "members.value": _member(),
}
"""The Group attributes a filter may name (lower-cased paths)."""

_CORE_URNS = ("urn:ietf:params:scim:schemas:core:2.0:user",
              "urn:ietf:params:scim:schemas:core:2.0:group")


class FilterCompiler:
    """Compiles a parsed filter against one attribute table."""

    def __init__(self, attributes: dict[str, Attribute]) -> None:
        self.attributes = attributes

    def compile(self, node: FilterNode | None) -> ColumnElement[bool]:
        """The SQL condition of ``node`` (everything, for no filter)."""
        return true() if node is None else self._node(node)

    def _attribute(self, path: AttrPath, prefix: str = "") -> Attribute:
        if path.uri and path.uri.casefold() not in _CORE_URNS:
            raise self._unsupported(str(path))
        name = f"{prefix}{path.attr}" + (f".{path.sub_attr}" if path.sub_attr else "")
        found = self.attributes.get(name.casefold())
        if found is None:
            raise self._unsupported(str(path))
        return found

    def _unsupported(self, name: str) -> InvalidFilterException:
        names = ", ".join(sorted({k for k in self.attributes if "." not in k or
                                  k.endswith(".value")}))
        return InvalidFilterException(detail=f"filtering on '{name}' is not supported; "
                                      f"filter on: {names}")

    def _node(self, node: FilterNode, prefix: str = "") -> Any:
        if isinstance(node, LogicalExpr):
            terms = [self._node(t, prefix) for t in node.terms]
            return and_(*terms) if node.op is LogicalOperator.and_ else or_(*terms)
        if isinstance(node, Not):
            return not_(self._node(node.expr, prefix))
        if isinstance(node, Comparison):
            if node.op not in _SUPPORTED:
                raise InvalidFilterException(detail=f"the operator '{node.op.value}' is not "
                                             "supported: use eq, ne, co, sw, ew or pr")
            return self._attribute(node.attr_path, prefix).compare(node.op, node.value)
        if isinstance(node, Present):
            return self._attribute(node.attr_path, prefix).present()
        if isinstance(node, ValuePath):
            return self._value_path(node)
        raise InvalidFilterException(detail="this filter is not supported")  # pragma: no cover

    def _value_path(self, node: ValuePath) -> Any:
        """``emails[value eq "x"]``: the inner filter applies to sub-attributes of one value;
        only ``value`` is indexed, so only it may be named inside the brackets."""
        if node.attr_path.sub_attr is not None:
            raise self._unsupported(str(node))
        return self._node(node.val_filter, prefix=f"{node.attr_path.attr}.")


_SUPPORTED = frozenset({CompareOperator.eq, CompareOperator.ne, CompareOperator.co,
                        CompareOperator.sw, CompareOperator.ew})
