"""Reads of the register, scoped to the user: search, a committee's outgoing and incoming registers, one
document with its files, relations both ways and incoming entries.

Search. The query and the stored text are folded the same way (giaoban.core.text.fold: no diacritics, đ -> d,
lower case) and split into words of letters and digits, so "nghi quyet 35", "35-nq/tw", "Nghị quyết 35" and
"NQ 35" all ask for the words of "35-NQ/TW Nghị quyết …". Every word must be there: a word of letters as the
start of a word ("quyet" finds "quyết"), a number as a whole word ("35" never finds "135"). PostgreSQL answers
from a full-text GIN index, SQLite from an FTS5 table (migration 0002). Number matches rank first: the number
and symbol exactly as asked, then a document whose number is a number asked for, then the rest; newest first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import BooleanField, Case, F, Func, IntegerField, Prefetch, Q, QuerySet, Value, When

from giaoban.core.access import Action
from giaoban.core.text import fold

from .models import Document, DocumentFile, IncomingEntry, Relation

__all__ = [
    "DocumentMatch",
    "SearchTerms",
    "document_for",
    "documents_for",
    "documents_search",
    "entries_for",
    "entries_search",
    "incoming_register",
    "outgoing_register",
    "search_terms",
    "with_details",
]

_WORD = re.compile(r"[a-z0-9]+")
# "số" before a number ("Nghị quyết số 35") is how people write it, not a word the text must hold.
_FILLER = {"so"}
MAX_WORDS = 12


@dataclass(frozen=True)
class SearchTerms:
    words: tuple[str, ...]  # letters (maybe with digits): match as the start of a word
    numbers: tuple[str, ...]  # digits only: match as a whole word
    symbol: str  # the query folded, when it looks like a number and symbol ("35-nq/tw"), else ""

    def __bool__(self) -> bool:
        return bool(self.words or self.numbers)

    def tsquery(self) -> str:
        """PostgreSQL: 'nghi:* & quyet:* & 35' (the parts are [a-z0-9]+ only, nothing to escape)."""
        return " & ".join([*(f"{w}:*" for w in self.words), *self.numbers])

    def fts5(self) -> str:
        """SQLite FTS5: '"nghi"* "quyet"* "35"' (implicit AND)."""
        return " ".join([*(f'"{w}"*' for w in self.words), *(f'"{n}"' for n in self.numbers)])


def search_terms(query: str) -> SearchTerms:
    """The words of a search box's text, folded; at most MAX_WORDS of them."""
    folded = fold(query or "")
    tokens = _WORD.findall(folded)
    has_number = any(t.isdigit() for t in tokens)
    tokens = [t for t in tokens if not (has_number and t in _FILLER)][:MAX_WORDS]
    words = tuple(dict.fromkeys(t for t in tokens if not t.isdigit()))
    numbers = tuple(dict.fromkeys(t for t in tokens if t.isdigit()))
    looks_like_symbol = bool(numbers) and any(c in folded for c in "-/") and " " not in folded.strip()
    return SearchTerms(words, numbers, folded.strip() if looks_like_symbol else "")


# The expression of the GIN index of migration 0002 (documents_document_search); keep the two identical.
PG_VECTOR = "to_tsvector('simple'::regconfig, regexp_replace(%s, '[^a-z0-9]+', ' ', 'g'))"


class DocumentMatch(Func):
    """`search_text` holds every word of the terms, as one index lookup on either database. Its columns are
    resolved by the query (so it works on an aliased table, e.g. inside a subquery)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, terms: SearchTerms, prefix: str = ""):
        super().__init__(F(f"{prefix}pk"), F(f"{prefix}search_text"))
        self.terms = terms

    def as_sql(self, compiler, connection, **extra):
        (pk_sql, pk_params), (text_sql, text_params) = (compiler.compile(e) for e in self.get_source_expressions())
        if connection.vendor == "postgresql":
            vector = PG_VECTOR % text_sql
            return f"{vector} @@ to_tsquery('simple'::regconfig, %s)", [*text_params, self.terms.tsquery()]
        if connection.vendor == "sqlite":
            # Only compiled column names go into the text; the terms are a parameter.
            sql = f"{pk_sql} IN (SELECT rowid FROM documents_document_fts WHERE documents_document_fts MATCH %s)"  # noqa: S608
            return sql, [*pk_params, self.terms.fts5()]
        raise NotImplementedError(connection.vendor)  # pragma: no cover - giaoban runs on these two


def _number_variants(numbers: tuple[str, ...]) -> list[str]:
    """ "5" -> "5", "05", "005" (giaoban's series writes "05"); "035" -> the same set."""
    out: set[str] = set()
    for n in numbers:
        bare = n.lstrip("0") or "0"
        out.update(bare.zfill(width) for width in range(len(bare), 5))
    return sorted(out)


def documents_search(queryset: QuerySet[Document], query: str) -> QuerySet[Document]:
    """The documents of `queryset` that hold every word of `query`, number matches first, then newest.
    An empty query leaves the queryset as it was."""
    terms = search_terms(query)
    if not terms:
        return queryset
    rank_when = []
    if terms.symbol:
        rank_when.append(When(~Q(number_symbol="") & Q(search_text__startswith=terms.symbol + " "), then=Value(0)))
    if terms.numbers:
        rank_when.append(When(number__in=_number_variants(terms.numbers), then=Value(1)))
    rank = Case(*rank_when, default=Value(2), output_field=IntegerField()) if rank_when else Value(2)
    return queryset.filter(DocumentMatch(terms)).annotate(rank=rank).order_by("rank", "-date", "-id")


def documents_for(user, action: str = Action.VIEW) -> QuerySet[Document]:
    return Document.objects.visible_to(user, action).select_related("committee__org_unit")


def with_details(queryset: QuerySet[Document], user) -> QuerySet[Document]:
    """Documents with their files and their relations both ways to documents the user can see
    (`visible_relations`, `visible_related_from`): three queries however many documents."""
    visible = Document.objects.visible_to(user, Action.VIEW).values("pk")
    return queryset.prefetch_related(
        Prefetch("files", queryset=DocumentFile.objects.order_by("id")),
        Prefetch(
            "relations",
            queryset=Relation.objects.filter(target__in=visible).select_related("target").order_by("kind", "id"),
            to_attr="visible_relations",
        ),
        Prefetch(
            "related_from",
            queryset=Relation.objects.filter(source__in=visible).select_related("source").order_by("kind", "id"),
            to_attr="visible_related_from",
        ),
    )


def document_for(user, pk: int) -> Document | None:
    """One document the user can see, with its files, relations both ways (to documents the user can see) and
    the incoming entries of committees the user can see."""
    entries = entries_for(user).select_related("committee__org_unit").prefetch_related("tasks")
    return (
        with_details(documents_for(user), user)
        .prefetch_related(
            Prefetch("incoming_entries", queryset=entries.order_by("-year", "-serial"), to_attr="visible_entries")
        )
        .filter(pk=pk)
        .first()
    )


def entries_for(user, action: str = Action.VIEW) -> QuerySet[IncomingEntry]:
    return IncomingEntry.objects.visible_to(user, action)


def outgoing_register(user, committee) -> QuerySet[Document]:
    """The committee's outgoing register (sổ văn bản đi): newest first, with file counts in one query."""
    return (
        documents_for(user)
        .filter(committee=committee, direction=Document.Direction.OUTGOING)
        .prefetch_related(Prefetch("files", queryset=DocumentFile.objects.order_by("id")))
        .order_by("-year", "-date", "-id")
    )


def incoming_register(user, committee) -> QuerySet[IncomingEntry]:
    """The committee's incoming register (sổ đăng ký văn bản đến, Decree 30/2020 Phụ lục IV): by year and running
    number, newest first, each line with its document and the tasks its handling instruction gave."""
    return (
        entries_for(user)
        .filter(committee=committee)
        .select_related("document", "committee__org_unit")
        .prefetch_related("tasks")
        .order_by("-year", "-serial")
    )


def entries_search(queryset: QuerySet[IncomingEntry], query: str) -> QuerySet[IncomingEntry]:
    """Incoming entries whose document holds every word of the query (same rule as documents_search)."""
    terms = search_terms(query)
    if not terms:
        return queryset
    return queryset.filter(document__in=Document.objects.filter(DocumentMatch(terms)).values("pk"))
