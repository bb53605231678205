"""Finding a community to join: the front page's search over every community.

Every community is public in Hearth (anyone may open its page and join; the invite link is
a shortcut, not a gate), so the search covers them all. A query is split into words and a
community matches when each word appears in its name, description or city, ignoring case;
`%`, `_` and `\\` are literal. Queries are cut to `MAX_QUERY` characters and `MAX_WORDS`
words, so no input makes the statement large; pages past the end show the last page.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select

from webapp.extensions import db
from webapp.models import Community, Membership

#: Communities shown per page.
PER_PAGE = 10
#: Longest query searched, in characters; longer ones are shortened (and the page says so).
MAX_QUERY = 100
#: Words of a query that count; more words add nothing but a longer statement.
MAX_WORDS = 8


@dataclass(frozen=True)
class ListedCommunity:
    """One community as the search lists it."""

    name: str
    slug: str
    description: str
    city: str
    members: int


@dataclass(frozen=True)
class SearchPage:
    """One page of results, with what the page needs to describe them."""

    query: str
    #: True when the query was longer than `MAX_QUERY` and only its start was searched.
    shortened: bool
    communities: list[ListedCommunity]
    total: int
    page: int
    pages: int


def clean_query(raw: str | None) -> tuple[str, bool]:
    """The query as searched (single spaces, at most `MAX_QUERY` characters), and whether
    it had to be shortened."""
    query = " ".join((raw or "").split())
    if len(query) <= MAX_QUERY:
        return query, False
    return query[:MAX_QUERY].rstrip(), True


def _literal(word: str) -> str:
    """A LIKE pattern matching the word anywhere, with its wildcards taken literally."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _conditions(query: str) -> list[ColumnElement[bool]]:
    """One condition per word of the query: the word is in the name, description or city."""
    return [
        or_(
            *(
                column.ilike(_literal(word), escape="\\")
                for column in (Community.name, Community.description, Community.city)
            )
        )
        for word in query.split()[:MAX_WORDS]
    ]


def search(raw_query: str | None, page: int | None = 1) -> SearchPage:
    """Communities matching the query (all of them for an empty one), largest first, then
    by name; `page` counts from 1 and is clamped to the pages there are."""
    query, shortened = clean_query(raw_query)
    matching = _conditions(query)
    total = db.session.scalar(select(func.count(Community.id)).where(*matching)) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(page or 1, 1), pages)
    members = func.count(Membership.id)
    rows = db.session.execute(
        select(Community.name, Community.slug, Community.description, Community.city, members)
        .outerjoin(Membership, Membership.community_id == Community.id)
        .where(*matching)
        .group_by(Community.id)
        .order_by(members.desc(), Community.name, Community.id)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    return SearchPage(
        query=query,
        shortened=shortened,
        communities=[ListedCommunity(*row) for row in rows],
        total=total,
        page=page,
        pages=pages,
    )
