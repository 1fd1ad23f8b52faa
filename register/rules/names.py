"""People's names in both scripts: the one normal form that search keys are stored and compared in,
and the "close name" rule that duplicate detection reads.

Pure Python (no Django): the services store `canonical` words and `phonetic_key`s when they write a
person, the search FilterSets match on them, and the duplicate check calls `names_close`.

Libraries, and why:
- Khmer character order: `khmerspell` is SIL's `khnormal` (the reference implementation of the SIL/Unicode
  Khmer character specification, MIT), packaged without dependencies. Khmer keyboards let a vowel, a
  shifter or a subscript (coeng) be typed in more than one order that looks the same on screen; khnormal
  sorts each syllable into the specification's order, so both spellings give one key.
  (`khmernormalizer` bundles an older copy of the same file with pinned `emoji`/`ftfy`; `khmereasytools`
  cleans spaces and digits but says it always preserves Khmer character order, so it does not reorder.)
- Romanised names: `jellyfish.metaphone` gives each word a consonant skeleton (vowels after the first
  letter dropped, doubled letters collapsed), and `rapidfuzz` measures edit distance. Khmer names are
  romanised by ear, and the vowels are what officers spell most differently (ជា Chea/Chia, ដារ៉ា Dara/
  Darah, ចាន់ណា Channa/Chana); metaphone ignores them. A few Khmer romanisation habits are folded first
  (`_ROMAN_FOLDS`), because metaphone is made for English.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence

import jellyfish
from khmerspell import khnormal
from rapidfuzz.distance import DamerauLevenshtein

# Zero-width space, non-joiner, joiner, word joiner, BOM: invisible, typed by some Khmer keyboards between
# words or syllables (U+200B is how Khmer marks a word break), and never part of a name's identity.
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))

_SPACES = re.compile(r"\s+")
_KHMER = re.compile(r"[\u1780-\u17ff\u19e0-\u19ff]")
_LATIN_LETTER = re.compile(r"[a-z]")


# Accents on Latin letters, as Unicode decomposes them (U+0300-U+036F). Khmer vowel signs are combining
# marks too but outside this block and without decompositions: they are the name itself and stay.
_LATIN_ACCENTS = re.compile("[\u0300-\u036f]")
_NO_DECOMPOSITION = str.maketrans({"đ": "d", "Đ": "D", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L"})


def _strip_latin_accents(text: str) -> str:
    text = _LATIN_ACCENTS.sub("", unicodedata.normalize("NFD", text.translate(_NO_DECOMPOSITION)))
    return unicodedata.normalize("NFC", text)


@functools.lru_cache(maxsize=65536)  # the same names come back again and again (the demo, an import)
def canonical(text: str) -> str:
    """The normalised form of a name for search keys and comparison: Unicode NFC, zero-width characters
    dropped, Khmer syllables in the specification's character order, Latin accents stripped, case folded,
    whitespace collapsed and trimmed."""
    if not text:
        return ""
    if text.isascii():  # most references, phones and romanised names: no accents, no Khmer
        return _SPACES.sub(" ", text.lower()).strip()
    text = unicodedata.normalize("NFC", text).translate(ZERO_WIDTH)
    text = _strip_latin_accents(text).casefold()
    if _KHMER.search(text):
        text = khnormal(text)
    return unicodedata.normalize("NFC", _SPACES.sub(" ", text).strip())


def words(*texts: str) -> list[str]:
    """The canonical words of one or more names, in order (empty parts skipped)."""
    return [w for t in texts for w in canonical(t or "").split(" ") if w]


def is_khmer(text: str) -> bool:
    return bool(_KHMER.search(text or ""))


def is_romanised(word: str) -> bool:
    """A canonical word written in Latin letters (so it has a phonetic key)."""
    return bool(_LATIN_LETTER.search(word)) and not is_khmer(word)


# Khmer romanisation habits folded before metaphone (which is made for English):
# - "w" and "v" both write វ (Pov/Pow, Vanna/Wanna);
# - a final "r" after a vowel is the French-style spelling of a long final vowel (Sokhar, Dar);
# - a final aspirate "kh", "th", "ph" is written with or without its "h" (Sok/Sokh, Piset/Piseth);
# - "ou"/"u" and "ie"/"ea"/"ia"/"e" are one sound spelt several ways; metaphone keeps only a word's
#   first letter if it is a vowel, so it matters at the start only (Ouk/Uk, Ieng/Eng).
_ROMAN_FOLDS = (
    (re.compile(r"w"), "v"),
    (re.compile(r"(?<=[aeiouy])r$"), ""),
    (re.compile(r"(?<=[ktp])h$"), ""),
    (re.compile(r"^(?:ou|oo)"), "u"),
    (re.compile(r"^(?:ie|ea|ia|ei)"), "e"),
)


@functools.lru_cache(maxsize=65536)
def phonetic_key(word: str) -> str:
    """The phonetic key of one canonical romanised word ("" for a word in another script): equal for the
    spellings of one Khmer name that officers write (Channa/Chana, Sokha/Sokhar, Chea/Chia, Pov/Pow)."""
    letters = "".join(ch for ch in word.casefold() if "a" <= ch <= "z")
    if not letters:
        return ""
    for pattern, repl in _ROMAN_FOLDS:
        letters = pattern.sub(repl, letters)
    return jellyfish.metaphone(letters) if letters else ""


def phonetic_keys(*texts: str) -> list[str]:
    """The phonetic keys of the romanised words of names (words in Khmer script have none)."""
    return [k for w in words(*texts) if is_romanised(w) and (k := phonetic_key(w))]


# With the same consonant skeleton, two edits are vowels spelt differently (Ly/Lee, Kim/Keam, Ieng/Eang).
MAX_EDITS = 2


def romanised_close(a: str, b: str) -> bool:
    """Two romanised words (or names written together) are close: the same phonetic key, and within two
    edits. Both are needed: edits alone would make Sokha and Sophal (two edits) one name, and Chea and
    Chhay (ជា, ឆាយ: another consonant, the "h" marks it aspirated); the key alone would make Dara and
    Daravuth one. Names that differ only in a vowel (Dara/Dary, Sothea/Sothy) are close: vowels are
    what romanisation spells most variously, and a possible duplicate is judged by a person."""
    a, b = canonical(a).replace(" ", ""), canonical(b).replace(" ", "")
    if not a or not b:
        return False
    if a == b:
        return True
    return phonetic_key(a) == phonetic_key(b) and DamerauLevenshtein.distance(a, b) <= MAX_EDITS


NameParts = Sequence[str]  # (given, family, given_latin, family_latin)


def _khmer_words(given: str, family: str) -> list[str]:
    return [w for w in words(given, family) if is_khmer(w)]


def _roman_words(given: str, family: str, given_latin: str, family_latin: str) -> list[str]:
    # The romanised fields; a name typed in Latin letters in the name fields (older records, or a person
    # with no Khmer name) counts as romanised too.
    latin = [w for w in words(given_latin, family_latin) if is_romanised(w)]
    return latin or [w for w in words(given, family) if is_romanised(w)]


def _word_lists_close(a: list[str], b: list[str]) -> bool:
    if not a or not b:
        return False
    # Given and family names swapped (common: family name first on ID cards, last on some forms): the
    # words compared in any order, each pairing used once.
    if len(a) == len(b):
        remaining = list(b)
        for w in a:
            match = next((x for x in remaining if romanised_close(w, x)), None)
            if match is None:
                break
            remaining.remove(match)
        else:
            return True
    # A name split differently (Srey Mom / Sreymom): the words joined, in either order.
    joined = "".join(a)
    return romanised_close(joined, "".join(b)) or romanised_close(joined, "".join(reversed(b)))


def names_close(a: NameParts, b: NameParts) -> bool:
    """The "close name" rule of duplicate detection. `a` and `b` are (given, family, given_latin,
    family_latin), the romanised parts possibly empty. Close when the Khmer names are the same after
    normalisation (in either order), or when the romanised names are close word by word (in either
    order, or written together). Different Khmer names with close romanised forms are still close: the
    romanisation is what officers get wrong, and a person judges a possible duplicate."""
    ga, fa, gla, fla = (*a, "", "", "", "")[:4]
    gb, fb, glb, flb = (*b, "", "", "", "")[:4]
    ka, kb = _khmer_words(ga, fa), _khmer_words(gb, fb)
    # Khmer names are often written without a space between the words, or with a zero-width one.
    if ka and kb and ("".join(ka) in ("".join(kb), "".join(reversed(kb))) or sorted(ka) == sorted(kb)):
        return True
    return _word_lists_close(_roman_words(ga, fa, gla, fla), _roman_words(gb, fb, glb, flb))


def all_keys(texts: Iterable[str]) -> tuple[list[str], list[str]]:
    """(canonical words, phonetic keys) of names, each once, in first-seen order."""
    ws = list(dict.fromkeys(w for t in texts for w in words(t)))
    ks = list(dict.fromkeys(k for w in ws if is_romanised(w) and (k := phonetic_key(w))))
    return ws, ks


# --- Search keys: what the services store for a person, and what a typed search looks up -----------

# Marks a stored phonetic key, so that it never equals a word (words are lower case, keys upper case
# after the mark). A search looks a word up by prefix and a phonetic key by equality.
PHONETIC_MARK = "~"
KEY_LENGTH = 100
_NOT_DIGIT = re.compile(r"\D")
_PHONE_LIKE = re.compile(r"[\d\s()+\-.]+")
COUNTRY_CODE = "855"


def phone_digits(phone: str) -> str:
    """A Cambodian phone's national digits without the trunk 0 (+855 12 345 678 and 012 345 678: 12345678)."""
    digits = _NOT_DIGIT.sub("", phone or "")
    if phone.strip().startswith("+") or (digits.startswith(COUNTRY_CODE) and len(digits) > 10):
        digits = digits.removeprefix(COUNTRY_CODE)
    return digits.removeprefix("0")


def search_keys(
    *, names: Iterable[str] = (), people: Iterable[tuple[str, str]] = (), codes: Iterable[str] = (), phones=()
) -> set[str]:
    """The keys a record is found by: the canonical words of `names` and the phonetic keys of their
    romanised words; each person's (given, family) Khmer names also written together in both orders
    (Khmer is often typed without a space, or with a zero-width one); `codes` (references, partner
    ids) whole and their last part (FC-02-000777 and 000777); `phones` as their national digits."""
    texts = list(names)
    ws, ks = all_keys(texts)
    keys = set(ws) | {PHONETIC_MARK + k for k in ks}
    for given, family in people:
        g, f = "".join(words(given)), "".join(words(family))
        if g and f and is_khmer(g + f):
            keys |= {g + f, f + g}
    for code in codes:
        for w in words(code):
            keys |= {w, w.rsplit("-", 1)[-1]}
    keys |= {d for p in phones if (d := phone_digits(p))}
    return {k[:KEY_LENGTH] for k in keys if k}


def search_lookups(query: str) -> list[tuple[list[str], list[str]]]:
    """What a typed search looks up: for each typed word, (prefixes, exact keys), any of which finds
    it; a record is found when every typed word finds one of its keys. A query that looks like a
    phone number (012 345 678, +855 12 345 678) is one word: its digits."""
    query = (query or "").strip()
    if not query:
        return []
    if _PHONE_LIKE.fullmatch(query) and (raw := _NOT_DIGIT.sub("", query)):
        national = phone_digits(query)
        return [([d[:KEY_LENGTH] for d in dict.fromkeys((raw, national)) if d], [])]
    lookups = []
    for w in words(query):
        exact = [PHONETIC_MARK + k] if w.isalpha() and is_romanised(w) and (k := phonetic_key(w)) else []
        lookups.append(([w[:KEY_LENGTH]], exact))
    return lookups


def carer_search_keys(carer) -> set[str]:
    """A family's search keys: the primary carer's names in both scripts, the household name, the
    reference and the phone. `carer` is any object with the Carer's attributes."""
    return search_keys(
        names=[
            carer.household_name,
            carer.given_name,
            carer.family_name,
            carer.given_name_latin,
            carer.family_name_latin,
        ],
        people=[(carer.given_name, carer.family_name)],
        codes=[carer.reference],
        phones=[carer.phone],
    )


def child_search_keys(child) -> set[str]:
    """A child's search keys: their names in both scripts, the reference and partner systems' ids."""
    ids = child.external_ids if isinstance(child.external_ids, dict) else {}
    return search_keys(
        names=[child.given_name, child.family_name, child.given_name_latin, child.family_name_latin],
        people=[(child.given_name, child.family_name)],
        codes=[child.reference, *(str(v) for v in ids.values() if v)],
    )
