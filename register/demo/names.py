"""Who lives where: the names (Khmer names in Khmer script with their romanised forms; common names,
never real people's records) and the share of Cham, indigenous, Vietnamese and Chinese households by
province, with their religions and languages."""

from __future__ import annotations

import random
from types import SimpleNamespace

from register.demo.draw import weighted


class Name(str):
    """A name as written (Khmer script for Khmer names), carrying its romanised form in `latin`."""

    latin: str

    def __new__(cls, written: str, latin: str = ""):
        name = super().__new__(cls, written)
        name.latin = latin
        return name


def latin_of(name: str) -> str:
    """The romanised form of a demo name ("" for a name written in Latin letters already)."""
    return getattr(name, "latin", "")


def names_of(pairs: str) -> list[Name]:
    # "ចាន់ Chan, សុខ Sok": Khmer spelling, then the usual romanisation.
    return [Name(*pair.split()) for pair in pairs.split(",")]


# Common Khmer family and given names, in Khmer script with their usual romanisation (names, never real
# people's records). Each list keeps its length: the demo draws from them and a seed gives the same people.
KHMER_FAMILY = names_of(
    "ចាន់ Chan, សុខ Sok, គឹម Kim, លី Ly, ហេង Heng, កែវ Keo, សំ Sam, ជា Chea, មាស Meas, ញឹម Nhim, "
    "ពេជ្រ Pich, ប្រាក់ Prak, សេង Seng, ទូច Touch, វង្ស Vong, យឹម Yim, អ៊ុក Ouk, ម៉ៅ Mao, ឡុង Long, "
    "ស្រី Srey, សៅ Sao, ហែម Hem, ឆាយ Chhay, ខៀវ Khiev, លឹម Lim, នួន Noun, ស៊ុន Sun, ផាន Phan, រ័ត្ន Rath, "
    "ស៊ឹម Sim, ទេព Tep, អ៊ុន Un, ឈុន Chhun, ហួត Huot, គង់ Kong, ម៉ម Mom, ង៉ែត Nget, ប៉ែន Pen, "
    "សឿន Soeun, ថាច់ Thach"
)
KHMER_FEMALE = names_of(
    "ស្រីមុំ Sreymom, សុភា Sophea, ចាន់ណារី Channary, បុប្ផា Bopha, ដាលីន Dalin, កញ្ញា Kanha, "
    "លក្ខិណា Leakhena, ម្លិះ Malis, រចនា Rachana, សុគន្ធា Sokunthea, ធីតា Thida, វណ្ណា Vanna, ចិន្តា Chenda, "
    "គន្ធា Kunthea, នារី Nary, ពិសី Pisey, ស្រីល័ក្ខ Sreyleak, ស្រីពៅ Sreypov, សុខុម Sokhom, ចាន់ធី Chanthy, "
    "ដាវី Davy, លីដា Lida, មាលា Mealea, ផល្លា Phalla, ស្រីនាង Sreyneang, រស្មី Raksmey, សុធារី Sotheary, "
    "វិចិកា Vicheka, សុខលាភ Sokleap, ធារី Theary"
)
KHMER_MALE = names_of(
    "ដារ៉ា Dara, សុខា Sokha, វុទ្ធី Vuthy, ឫទ្ធី Rithy, ពិសិដ្ឋ Piseth, សុវណ្ណ Sovann, ចាន់ធូ Chanthou, "
    "ប៊ុនធឿន Bunthoeun, កុសល Kosal, ណារិទ្ធ Narith, សំណាង Samnang, វិសាល Visal, សម្បត្តិ Sambath, "
    "វណ្ណៈ Vannak, សុផល Sophal, រដ្ឋា Rotha, ចាន់ណា Channa, ចាន់ថា Chantha, មករា Makara, ភក្ដី Pheakdey, "
    "រតនៈ Ratanak, សុធី Sothy, វាសនា Veasna, ប៊ុនណា Bunna, ចំរើន Chamroeun, គឹមហុង Kimhong, មុន្នី Mony, "
    "បញ្ញា Panha, សីហា Seyha, វីរៈ Virak"
)
# Cham and Vietnamese names are kept as the families write them in Latin letters (Vietnamese with its
# accents): the search folds the accents, and the pages show one form.
CHAM_FAMILY = ["Math", "Sos", "Sen", "Tay", "Yusos", "Mat", "Ly", "Kob", "Sles", "Him"]
CHAM_FEMALE = ["Fatimah", "Aisah", "Mariam", "Halimah", "Saleha", "Rokiah", "Zainab", "Safiyah", "Khadijah"]
CHAM_MALE = ["Ahmad", "Ismail", "Yusof", "Musa", "Osman", "Saleh", "Rohim", "Idris", "Harun", "Sulaiman"]
VIETNAMESE_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Võ", "Huỳnh", "Phan", "Đặng"]
VIETNAMESE_FEMALE = ["Lan", "Mai", "Hoa", "Thu", "Hanh", "Linh", "Ngoc", "Huong"]
VIETNAMESE_MALE = ["Minh", "Hung", "Tuan", "Long", "Hai", "Nam", "Thanh", "Duc"]

# Minorities by province: share of households (the rest are Khmer).
CHAM_SHARE = {"03": 0.20, "25": 0.25, "07": 0.10, "04": 0.08, "12": 0.03}
INDIGENOUS_SHARE = {"16": 0.55, "11": 0.50, "19": 0.12, "13": 0.08}
INDIGENOUS_LANGUAGES = {"16": ["krr", "tpu", "jra"], "11": ["cmo"], "19": ["krr"], "13": ["kdt"]}
VIETNAMESE_SHARE = {"08": 0.05, "04": 0.05, "12": 0.04, "20": 0.03, "15": 0.03}
CHINESE_SHARE = {"12": 0.04, "18": 0.02}


def culture(rng: random.Random, province: str):
    """(ethnicity, religion, languages, female names, male names, family names) for a household here."""
    r = rng.random()
    if r < CHAM_SHARE.get(province, 0):
        return "cham", "islam", ["cjm", "km"], CHAM_FEMALE, CHAM_MALE, CHAM_FAMILY
    r -= CHAM_SHARE.get(province, 0)
    if r < INDIGENOUS_SHARE.get(province, 0):
        religion = weighted(rng, [("animism", 70), ("christianity", 20), ("buddhism", 10)])
        languages = [rng.choice(INDIGENOUS_LANGUAGES[province]), "km"]
        return "indigenous", religion, languages, KHMER_FEMALE, KHMER_MALE, KHMER_FAMILY
    r -= INDIGENOUS_SHARE.get(province, 0)
    if r < VIETNAMESE_SHARE.get(province, 0):
        religion = weighted(rng, [("buddhism", 70), ("christianity", 25), ("none", 5)])
        return "vietnamese", religion, ["vi", "km"], VIETNAMESE_FEMALE, VIETNAMESE_MALE, VIETNAMESE_FAMILY
    r -= VIETNAMESE_SHARE.get(province, 0)
    if r < CHINESE_SHARE.get(province, 0.005):
        return "chinese", "buddhism", ["km", "zh"], KHMER_FEMALE, KHMER_MALE, KHMER_FAMILY
    religion = weighted(rng, [("buddhism", 96), ("christianity", 3), ("none", 1)])
    languages = ["km", "en"] if rng.random() < 0.08 else ["km"]
    return "khmer", religion, languages, KHMER_FEMALE, KHMER_MALE, KHMER_FAMILY


def household_name_of(family_name: str) -> str:
    """A household named as officers write it: គ្រួសារ (family) and the family name."""
    return f"គ្រួសារ {family_name}"


def search_key_rows(model, rows: list[dict]):
    """(key model, rows) of the search keys of demo carers or children, written beside them as the
    services write them (register.services.names); None for other models."""
    # Imported here: the lists above are read without Django set up.
    from register.models import Carer, CarerSearchKey, Child, ChildSearchKey
    from register.rules.names import carer_search_keys, child_search_keys

    if model is Carer:
        key_model, fk, keys_of = CarerSearchKey, "carer_id", carer_search_keys
    elif model is Child:
        key_model, fk, keys_of = ChildSearchKey, "child_id", child_search_keys
    else:
        return None
    defaults = {"given_name_latin": "", "family_name_latin": "", "external_ids": {}, "household_name": "", "phone": ""}
    return key_model, [
        {fk: r["id"], "key": key} for r in rows for key in sorted(keys_of(SimpleNamespace(**{**defaults, **r})))
    ]
