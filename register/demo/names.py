"""Who lives where: the names (written in Latin letters; common names, never real people's records) and
the share of Cham, indigenous, Vietnamese and Chinese households by province, with their religions and
languages."""

from __future__ import annotations

import random

from register.demo.draw import weighted

KHMER_FAMILY = [
    "Chan", "Sok", "Kim", "Ly", "Heng", "Keo", "Sam", "Chea", "Meas", "Nhem", "Pich", "Prak", "Seng", "Touch",
    "Vong", "Yim", "Ouk", "Mao", "Long", "Srey", "Sao", "Hem", "Chhay", "Khiev", "Lim", "Noun", "Oeur", "Phan",
    "Rath", "Sim", "Tep", "Un", "Chhun", "Huot", "Kong", "Mom", "Nget", "Pen", "Soeun", "Thach",
]  # fmt: skip
KHMER_FEMALE = [
    "Sreymom", "Sophea", "Channary", "Bopha", "Dalin", "Kanha", "Leakhena", "Malis", "Rachana", "Sokunthea",
    "Thida", "Vanna", "Chenda", "Kunthea", "Nary", "Pisey", "Sreyleak", "Sreypov", "Sokhom", "Chanthy", "Davy",
    "Lida", "Mealea", "Phalla", "Sreyneang", "Raksmey", "Sotheary", "Vicheka", "Sokleap", "Theary",
]  # fmt: skip
KHMER_MALE = [
    "Dara", "Sokha", "Vuthy", "Rithy", "Piseth", "Sovann", "Chanthou", "Bunthoeun", "Kosal", "Narith", "Samnang",
    "Visal", "Sambath", "Vannak", "Sophal", "Rotha", "Sovannarith", "Chantha", "Makara", "Pheakdey", "Ratanak",
    "Sothy", "Veasna", "Bunna", "Chamroeun", "Kimhong", "Mony", "Panha", "Seyha", "Virak",
]  # fmt: skip
CHAM_FAMILY = ["Math", "Sos", "Sen", "Tay", "Yusos", "Mat", "Ly", "Kob", "Sles", "Him"]
CHAM_FEMALE = ["Fatimah", "Aisah", "Mariam", "Halimah", "Saleha", "Rokiah", "Zainab", "Safiyah", "Khadijah"]
CHAM_MALE = ["Ahmad", "Ismail", "Yusof", "Musa", "Osman", "Saleh", "Rohim", "Idris", "Harun", "Sulaiman"]
VIETNAMESE_FAMILY = ["Nguyen", "Tran", "Le", "Pham", "Vo", "Huynh", "Phan", "Dang"]
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
