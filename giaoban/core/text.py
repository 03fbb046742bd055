"""Vietnamese text helpers: diacritic folding for search and a collation key for sorting."""

import re
import unicodedata

_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}  # huyền hỏi ngã sắc nặng
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn make ă â ê ô ơ ư
_ALPHABET = [
    "a",
    "ă",
    "â",
    "b",
    "c",
    "d",
    "đ",
    "e",
    "ê",
    "f",
    "g",
    "h",
    "i",
    "j",
    "k",
    "l",
    "m",
    "n",
    "o",
    "ô",
    "ơ",
    "p",
    "q",
    "r",
    "s",
    "t",
    "u",
    "ư",
    "v",
    "w",
    "x",
    "y",
    "z",
]
_RANK = {letter: chr(0x41 + i) for i, letter in enumerate(_ALPHABET)}
_SPACE = "\x22"
_OTHER = "\x23"
_TONE_SEP = "\x21"
_PREFIXES = re.compile(r"^(thành phố|tỉnh|xã|phường|thị trấn|thị xã|huyện|quận|đặc khu)\s+", re.IGNORECASE)


def fold(text: str) -> str:
    """Lower-case ASCII form used for search: "Ngọc Lặc" -> "ngoc lac", "Đà Nẵng" -> "da nang"."""
    text = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.lower().split())


def sort_key(text: str) -> str:
    """A key whose binary order is Vietnamese dictionary order (a ă â … đ …; tones second).

    Stored in a column so that ORDER BY works the same on SQLite and PostgreSQL without ICU.
    """
    primary: list[str] = []
    tones: list[str] = []
    for ch in unicodedata.normalize("NFC", " ".join(text.lower().split())):
        decomposed = unicodedata.normalize("NFD", ch)
        base = decomposed[0]
        marks = decomposed[1:]
        letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in _LETTER_MARKS))
        tone = next((_TONES[m] for m in marks if m in _TONES), "0")
        if letter in _RANK:
            primary.append(_RANK[letter])
            tones.append(tone)
        elif letter.isdigit():
            primary.append(letter)
        elif letter == " ":
            primary.append(_SPACE)
        else:
            primary.append(_OTHER)
    return "".join(primary) + _TONE_SEP + "".join(tones)


def strip_unit_prefix(name: str) -> str:
    """ "Xã Ngọc Lặc" -> "Ngọc Lặc": lists sort communes by their proper name."""
    return _PREFIXES.sub("", name.strip())


# --- Control characters ------------------------------------------------------------------------------
# What people paste from Word carries characters no export can hold: XML 1.0 (.xlsx, .docx) forbids
# every C0 control but tab, LF and CR, PostgreSQL refuses NUL in text and jsonb, and a lone surrogate
# (legal in a JSON string) cannot be encoded at all. Word's manual line break (vertical tab) and page
# break (form feed) are line breaks to the person who typed them, so they become "\n"; the rest is dropped.
_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n"})
_UNCARRIABLE = re.compile("[\x00-\x08\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
_LINE_SPACE = re.compile("[\t\n\r\x0b\x0c\x85\u2028\u2029]+")


def clean_text(value: str) -> str:
    """Multi-line text (narratives, notes, text figures) as every export can carry it: line breaks kept
    (CR LF and CR become LF; Word's vertical tab and form feed become LF), tabs kept, every other control
    character, U+FFFE/U+FFFF and lone surrogates dropped. Services call it on input; exports call it again
    on output (giaoban.core.xlsx), so older stored text cannot break a file either."""
    if not value:
        return value
    value = value.replace("\r\n", "\n").replace("\r", "\n").translate(_BREAKS)
    return _UNCARRIABLE.sub("", value)


def clean_line(value: str) -> str:
    """One-line text (unit, committee, member names, codes, CSV cells): line breaks and tabs become one
    space, every other control character is dropped, outer spaces stripped."""
    if not value or value.isprintable():  # the common case, in C: nothing to drop or turn into a space
        return value.strip() if value else value
    return _UNCARRIABLE.sub("", _LINE_SPACE.sub(" ", value)).strip()


def has_uncarriable(value: str) -> bool:
    """True when clean_text would drop something (not counting line-break normalisation)."""
    return bool(_UNCARRIABLE.search(value))


def clean_fields(instance, *names: str) -> None:
    """clean_line() on the named text fields of a model instance: for Model.clean(), so admin forms and
    services store names that every export can carry."""
    for name in names:
        value = getattr(instance, name, None)
        if isinstance(value, str):
            setattr(instance, name, clean_line(value))
