"""The English catalog (giaoban/locale/en/LC_MESSAGES/django.po) is complete and consistent.

Vietnamese is the source language: msgids are Vietnamese, English is the translation.
When a test here fails after new strings were added, refresh and translate the catalog:

    cd giaoban && giaoban makemessages -l en --no-wrap -i "static/*"
    (translate the new entries, drop "#, fuzzy"), then `make messages`.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.extract import extract
from babel.messages.pofile import read_po
from django.utils import translation
from django.utils.translation.template import templatize

import giaoban

PACKAGE = Path(giaoban.__file__).resolve().parent
PO_PATH = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"

# What `makemessages` hands to xgettext for Python sources (plus xgettext's own defaults).
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}

# %(name)s, %s, %5.2f …, and str.format-style {name}; "%%" is a literal percent sign.
PERCENT = re.compile(r"%(?:\((?P<name>[^)]*)\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?P<conv>[diouxXeEfFgGcrsa%])")
BRACE = re.compile(r"(?<!\{)\{(\w+)\}(?!\})")


def placeholders(text: str) -> Counter:
    """Named placeholders count once however often they appear (bilingual msgids repeat them);
    positional ones (%s) count each time, since the arguments fill them in order."""
    found: Counter = Counter()
    for m in PERCENT.finditer(text):
        if m["conv"] == "%":
            continue
        if m["name"] is None:
            found[f"%{m['conv']}"] += 1
        else:
            found[f"%({m['name']}){m['conv']}"] = 1
    for name in BRACE.findall(text):
        found[f"{{{name}}}"] = 1
    return found


def named(found: Counter) -> set[str]:
    return {key[2:-2] for key in found if key.startswith("%(")}


def placeholder_problem(source: str, translated: str) -> str | None:
    """None when `translated` keeps the placeholders of `source`.

    Bilingual msgids may pass both a Vietnamese and an English value of the same thing
    (%(a)s and %(a_en)s); the English text may then leave out the Vietnamese one.
    """
    want, got = placeholders(source), placeholders(translated)
    if want == got:
        return None
    extra = got - want
    if extra:
        return f"placeholders not in the msgid: {sorted(extra)}"
    used = named(got)
    dropped = [
        key
        for key in want - got
        if not (key.startswith("%(") and f"{key[2:-2]}_en" in used and f"{key[2:-2]}_en" in named(want))
    ]
    if dropped:
        return f"placeholders missing from the translation: {sorted(dropped)}"
    return None


def load_catalog():
    with PO_PATH.open("rb") as fh:
        return read_po(fh, locale="en", abort_invalid=True)


def source_files():
    for path in sorted(PACKAGE.rglob("*")):
        rel = path.relative_to(PACKAGE)
        if not path.is_file() or rel.parts[0] == "static" or any(p.startswith(".") for p in rel.parts):
            continue
        if path.suffix in {".py", ".html", ".txt"}:
            yield path


def source_msgids() -> dict[tuple[str | None, str], str]:
    """(context, msgid) of every marked string in the package, with where it was found."""
    found: dict[tuple[str | None, str], str] = {}
    for path in source_files():
        text = path.read_text(encoding="utf-8")
        if path.suffix != ".py":
            # Django's own template-to-Python step (what makemessages runs); its masked lines
            # carry the template's indentation, which Python's tokenizer would reject.
            text = "\n".join(line.lstrip() for line in templatize(text, origin=str(path)).split("\n"))
        for lineno, message, _comments, context in extract("python", io.BytesIO(text.encode("utf-8")), KEYWORDS):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid:
                found.setdefault((context, msgid), f"{path.relative_to(PACKAGE)}:{lineno}")
    return found


def test_it_has_an_english_header():
    catalog = load_catalog()
    headers = dict(catalog.mime_headers)
    assert headers.get("Language") == "en"
    assert headers.get("Plural-Forms") == "nplurals=2; plural=(n != 1);"
    assert not catalog.fuzzy, "the header is marked fuzzy"


def test_it_translates_every_entry_without_fuzzy_flags():
    problems = []
    for message in load_catalog():
        if not message.id:
            continue
        label = message.id[0] if message.pluralizable else message.id
        if message.fuzzy:
            problems.append(f"fuzzy: {label!r}")
        strings = message.string if message.pluralizable else (message.string,)
        if message.pluralizable and len(strings) != 2:
            problems.append(f"needs msgstr[0] and msgstr[1]: {label!r}")
        if not all(s and s.strip() for s in strings):
            problems.append(f"untranslated: {label!r}")
    assert not problems, "\n".join(problems)


def test_it_keeps_the_placeholders_of_every_msgid():
    problems = []
    for message in load_catalog():
        if not message.id:
            continue
        if message.pluralizable:
            pairs = list(zip(message.id, message.string, strict=False))
        else:
            pairs = [(message.id, message.string)]
        for source, translated in pairs:
            if not translated:
                continue  # reported as untranslated above
            problem = placeholder_problem(source, translated or "")
            if problem:
                problems.append(f"{source!r} -> {translated!r}: {problem}")
    assert not problems, "\n".join(problems)


def test_it_covers_every_string_marked_in_the_code():
    catalog = load_catalog()
    in_catalog = {(m.context, m.id[0] if m.pluralizable else m.id) for m in catalog if m.id}
    missing = [
        f"{where}: {msgid!r}" for (ctx, msgid), where in source_msgids().items() if (ctx, msgid) not in in_catalog
    ]
    assert not missing, "not in django.po (run makemessages and translate):\n" + "\n".join(sorted(missing))


def test_it_checks_placeholders_strictly():
    assert placeholder_problem("Mã %(c)s trùng (duplicate).", "Code %(c)s is a duplicate.") is None
    assert placeholder_problem("Mã %(c)s trùng (duplicate).", "Duplicate code.") is not None
    assert placeholder_problem("Thiếu %s", "Missing %(s)s") is not None
    assert placeholder_problem("Có %(n)d lỗi", "%(n)s errors") is not None
    assert placeholder_problem("{key, title} là {key}", "{key} is required") is None
    assert placeholder_problem("100%% xong", "100%% done") is None
    assert placeholder_problem("%(a)s (%(a_en)s)", "%(a_en)s") is None
    assert placeholder_problem("Từ %(d)s (from %(d)s)", "From %(d)s") is None
    assert placeholder_problem("%s và %s (%s and %s)", "%s and %s") is not None


KEY_STRINGS = {
    "Đơn vị của tôi": "My units",
    "Đăng nhập": "Log in",
    "Đăng xuất": "Log out",
    "Ban Chỉ đạo": "Steering Committee",
    "Trưởng ban": "Head",
    "Phó Trưởng ban Thường trực": "Standing Deputy Head",
    "Tổ trưởng Tổ Thư ký": "Head of the Secretariat",
}


@pytest.mark.usefixtures("compiled_locale")
def test_it_translates_key_strings_to_english():
    from django.template import Context, Template
    from django.utils.translation import gettext, ngettext, pgettext

    with translation.override("en"):
        for vi, en in KEY_STRINGS.items():
            assert gettext(vi) == en
        # One Vietnamese word, two English ones: the status (and history entry) and the button.
        assert (gettext("Trả lại"), pgettext("button", "Trả lại")) == ("Returned", "Return")
        assert Template('{% translate "Trả lại" context "button" %}').render(Context()) == "Return"
        assert ngettext("%(n)s đơn vị", "%(n)s đơn vị", 1) % {"n": 1} == "1 unit"
        assert ngettext("%(n)s đơn vị", "%(n)s đơn vị", 3) % {"n": 3} == "3 units"
        rendered = Template('{% blocktranslate with name="Lan" %}Xin chào, {{ name }}{% endblocktranslate %}').render(
            Context()
        )
        assert rendered == "Hello, Lan"


@pytest.mark.usefixtures("compiled_locale")
def test_it_keeps_vietnamese_under_vi():
    from django.utils.translation import gettext

    with translation.override("vi"):
        for vi in KEY_STRINGS:
            assert gettext(vi) == vi
