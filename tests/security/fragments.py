"""Hypothesis strategies for GraphQL documents built of recursive fragments.

Each document is an anonymous query spreading a few fragments ``F0..Fk`` on ``Query``; each
fragment selects fields (plain, aliased, nested a random depth through ``Tenant.parent``) and
spreads later fragments, one to three times each, so the number of expanded fields grows like
a product of fan-outs (the shape that made Strawberry's limiters walk 2^n paths). With
``cycles=True`` a fragment may also spread an earlier one (graphql-core must refuse the cycle).
"""

from __future__ import annotations

from hypothesis import strategies as st

__all__ = ["doubling", "fragment_documents"]

NESTED = "tenants(first: 1) {{ edges {{ node {{ id {inner} }} }} }}"


def _nested(depth: int) -> str:
    inner = "id"
    for _ in range(depth):
        inner = f"parent {{ {inner} }}"
    return NESTED.format(inner=inner)


@st.composite
def _fields(draw: st.DrawFn, index: int) -> list[str]:
    choices = st.one_of(
        st.just("__typename"),
        st.just("me { id }"),
        st.integers(0, 99).map(lambda n: f"a{index}_{n}: __typename"),
        st.integers(0, 14).map(_nested),
    )
    return draw(st.lists(choices, min_size=0, max_size=3))


@st.composite
def fragment_documents(draw: st.DrawFn, max_fragments: int = 12, cycles: bool = False) -> str:
    """A query spreading ``F0`` and sometimes more, with up to ``max_fragments`` fragments."""
    count = draw(st.integers(1, max_fragments))
    parts = []
    for i in range(count):
        later = list(range(i + 1, count))
        targets = list(later) + (list(range(i + 1)) if cycles else [])
        spreads: list[str] = []
        if targets:
            for target in draw(st.lists(st.sampled_from(targets), max_size=3, unique=True)):
                spreads += [f"...F{target}"] * draw(st.integers(1, 3))
        selection = draw(_fields(i)) + spreads
        parts.append(f"fragment F{i} on Query {{ {' '.join(selection) or '__typename'} }}")
    roots = draw(st.lists(st.integers(0, count - 1), min_size=1, max_size=3, unique=True))
    return "query { " + " ".join(f"...F{r}" for r in sorted(roots)) + " } " + " ".join(parts)


def doubling(n: int) -> str:
    """The issue's document: ``fragment F{i} on Query { ...F{i+1} ...F{i+1} }``, n levels."""
    parts = [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(n)]
    return ("query { ...F0 } " + " ".join(parts)
            + f" fragment F{n} on Query {{ me {{ id }} }}")
