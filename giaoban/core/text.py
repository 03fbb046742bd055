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
