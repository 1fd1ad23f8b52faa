"""register.rules.names: the canonical form of a name and the "close name" rule (pure Python)."""

import pytest

from register.rules.names import all_keys, canonical, names_close, phonetic_key, romanised_close, words

# Romanisation variants of one Khmer name, as officers write them.
CLOSE = [
    ("Channa", "Chana"),  # ចាន់ណា: doubled consonant
    ("Sokha", "Sokhar"),  # សុខា: French-style final r
    ("Chea", "Chia"),  # ជា: the vowel spelt two ways
    ("Pov", "Pow"),  # ពៅ: v/w for វ
    ("Sok", "Sokh"),  # សុខ: final aspirate with or without its h
    ("Piseth", "Piset"),
    ("Vanna", "Wanna"),
    ("Ly", "Lee"),  # លី
    ("Kim", "Keam"),
    ("Ieng", "Eang"),
    ("Ouk", "Uk"),
    ("Sun", "Son"),
    ("Heng", "Hing"),
    ("Srey Mom", "Sreymom"),  # one name split in two words or not
    ("Sôkhá", "SOKHA"),  # accents, case
]

# Different names: must not be close.
DISTINCT = [
    ("Sokha", "Sophal"),  # សុខា, សុផល
    ("Chea", "Chhay"),  # ជា, ឆាយ: ជ and the aspirated ឆ are different letters; "chh" keeps them apart
    ("Sophea", "Sopheap"),  # សុភា, សុភាព
    ("Pen", "Penh"),  # ប៉ែន, ពេញ: nh is ញ, not a silent h
    ("Dara", "Daravuth"),
    ("Bopha", "Bophal"),
    ("Sina", "Sinat"),
    ("Chan", "Chantha"),
    ("Vanna", "Vannak"),
    ("Kim", "Khim"),
]


@pytest.mark.parametrize(("a", "b"), CLOSE)
def test_romanisation_variants_are_close(a, b):
    assert romanised_close(a, b)
    assert romanised_close(b, a)


@pytest.mark.parametrize(("a", "b"), DISTINCT)
def test_different_names_are_not_close(a, b):
    assert not romanised_close(a, b)
    assert not romanised_close(b, a)


def test_canonical_folds_case_accents_spaces_and_zero_width():
    assert canonical("  Sôkhá\u200b   CHÉA\t") == "sokha chea"
    assert canonical("So\u200ckha\u2060\ufeff\u200d") == "sokha"
    assert canonical("") == ""


def test_canonical_puts_khmer_in_one_character_order():
    # ស៊ុន (Sun): the shifter ៊ and the vowel ុ typed in either order look alike on screen.
    typed_one_way = "\u179f\u17ca\u17bb\u1793"
    typed_other_way = "\u179f\u17bb\u17ca\u1793"
    assert canonical(typed_one_way) == canonical(typed_other_way)
    # ស្រី (Srey): the vowel typed before the subscript ro.
    assert canonical("\u179f\u17d2\u179a\u17b8") == canonical("\u179f\u17b8\u17d2\u179a") == "ស្រី"
    # A zero-width space inside a Khmer name (keyboards put them between syllables).
    assert canonical("ចាន់\u200bណា") == canonical("ចាន់ណា")
    # Khmer marks are not "accents": they stay.
    assert canonical("សុខា") == "សុខា"
    assert canonical("សុខា") != canonical("សខ")


def test_canonical_is_idempotent():
    for text in ["ស\u17bb\u17ca\u1793 Sôkhá", "  ចាន់\u200bណា  CHEA ", "ស\u17b8\u17d2\u179a"]:
        once = canonical(text)
        assert canonical(once) == once


def test_phonetic_key_only_for_latin_words():
    assert phonetic_key("សុខា") == ""
    assert phonetic_key("sokha") == phonetic_key("sokhar") != ""


def test_names_close_same_khmer_name_whatever_the_romanisation():
    assert names_close(("សុខា", "ចាន់", "Sokha", "Chan"), ("សុខា", "ចាន់", "", ""))
    # Typed in another character order, with a zero-width space.
    assert names_close(("ស\u17bb\u17ca\u1793", "ដារ៉ា", "", ""), ("ស\u17ca\u17bb\u1793\u200b", "ដារ៉ា", "", ""))


def test_names_close_given_and_family_swapped():
    assert names_close(("សុខា", "ចាន់", "", ""), ("ចាន់", "សុខា", "", ""))
    assert names_close(("", "", "Sokha", "Chan"), ("", "", "Chan", "Sokhar"))


def test_names_close_latin_typed_in_the_name_fields():
    # Older records hold a Latin name in given/family; it compares with the romanised fields.
    assert names_close(("Sokha", "Chan", "", ""), ("សុខា", "ចាន់", "Sokhar", "Chan"))


def test_names_not_close():
    assert not names_close(("សុខា", "ចាន់", "Sokha", "Chan"), ("សុភា", "ចាន់", "Sophea", "Chan"))
    assert not names_close(("សុខា", "ចាន់", "", ""), ("សុភា", "ចាន់", "", ""))
    assert not names_close(("", "", "Sokha", "Chan"), ("", "", "Sokha", "Heng"))
    # Nothing to compare: not close.
    assert not names_close(("", "", "", ""), ("", "", "", ""))


def test_words_and_keys():
    assert words("Sokha  CHAN", "", "ចាន់\u200bណា") == ["sokha", "chan", "ចាន់ណា"]
    ws, ks = all_keys(["Sokha Chan", "sokha", "សុខា"])
    assert ws == ["sokha", "chan", "សុខា"]
    assert ks == [phonetic_key("sokha"), phonetic_key("chan")]
