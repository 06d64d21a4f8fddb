import re
import unicodedata
from pathlib import Path

import pytest
from babel import Locale

from consult.geography import (
    GROUPS,
    MEMBER_STATES,
    OBSERVER_STATES,
    REGIONS,
    STATES,
    STATES_BY_CODE,
    UN_NAME_LANGUAGES,
    country_name,
    name_sort_key,
    sorted_states,
)


def test_counts() -> None:
    assert len(MEMBER_STATES) == 193
    assert len(OBSERVER_STATES) == 2
    assert all(not s.observer for s in MEMBER_STATES)
    assert all(s.observer for s in OBSERVER_STATES)


def test_codes_are_unique_and_well_formed() -> None:
    assert len(STATES_BY_CODE) == len(STATES)
    assert len({s.alpha2 for s in STATES}) == len(STATES)
    assert all(re.fullmatch(r"[A-Z]{3}", s.alpha3) for s in STATES)


def test_every_alpha2_is_a_cldr_territory() -> None:
    territories = Locale("en").territories
    assert [s.alpha2 for s in STATES if s.alpha2 not in territories] == []


def test_every_member_has_a_region_and_observers_none() -> None:
    assert all(s.region in REGIONS for s in MEMBER_STATES)
    assert all(s.region is None for s in OBSERVER_STATES)
    assert {s.alpha3 for s in OBSERVER_STATES} == {"VAT", "PSE"}


@pytest.mark.parametrize(
    ("alpha3", "region"),
    [
        ("KEN", "AFR"),
        ("SSD", "AFR"),
        ("CHN", "APG"),
        ("CYP", "APG"),
        ("KIR", "APG"),
        ("KAZ", "APG"),
        ("FRA", "WEOG"),
        ("USA", "WEOG"),
        ("TUR", "WEOG"),
        ("ISR", "WEOG"),
        ("BRA", "GRULAC"),
        ("POL", "EEG"),
        ("EST", "EEG"),
    ],
)
def test_known_memberships(alpha3: str, region: str) -> None:
    assert STATES_BY_CODE[alpha3].region == region


def test_region_sizes() -> None:
    sizes = {code: 0 for code in REGIONS}
    for state in MEMBER_STATES:
        sizes[state.region] += 1
    # USA counted in WEOG alongside its 28 members.
    assert sizes == {"AFR": 54, "APG": 54, "EEG": 23, "GRULAC": 33, "WEOG": 29}


DPRK = {
    "ar": "جمهورية كوريا الشعبية الديمقراطية",
    "en": "Democratic People's Republic of Korea",
    "es": "República Popular Democrática de Corea",
    "fr": "République populaire démocratique de Corée",
    "ru": "Корейская Народно-Демократическая Республика",
    "zh": "朝鲜民主主义人民共和国",
}


@pytest.mark.parametrize("language", sorted(DPRK))
def test_the_north_korean_delegation_has_its_un_name_in_the_six_languages(language: str) -> None:
    assert country_name("PRK", language) == DPRK[language]


@pytest.mark.parametrize(
    ("alpha3", "name"),
    [
        ("IRN", "Iran (Islamic Republic of)"),
        ("RUS", "Russian Federation"),
        ("COD", "Democratic Republic of the Congo"),
        ("COG", "Congo"),
        ("MMR", "Myanmar"),
        ("VNM", "Viet Nam"),
        ("TUR", "Türkiye"),
        ("GBR", "United Kingdom of Great Britain and Northern Ireland"),
        ("VAT", "Holy See"),
        ("PSE", "State of Palestine"),
    ],
)
def test_english_names_are_the_un_short_names(alpha3: str, name: str) -> None:
    assert country_name(alpha3, "en") == name


def test_every_state_has_a_name_in_each_of_the_six_languages() -> None:
    for state in STATES:
        names = {language: country_name(state.alpha3, language) for language in UN_NAME_LANGUAGES}
        assert all(names.values()), state
    # Each language in its own script.
    assert all("ARABIC" in unicodedata.name(c) for c in country_name("EGY", "ar") if c.isalpha())
    assert all("CJK" in unicodedata.name(c) for c in country_name("CHN", "zh"))
    assert country_name("DEU", "ru") == "Германия"
    assert country_name("CIV", "fr") == "Côte d'Ivoire"


def test_regional_variants_take_their_language_and_other_languages_english() -> None:
    assert country_name("PRK", "zh_Hans") == country_name("PRK", "zh-Hans") == DPRK["zh"]
    assert country_name("PRK", Locale.parse("fr_CA")) == DPRK["fr"]
    assert country_name("PRK", "pt_BR") == country_name("PRK", "de") == country_name("PRK", None) == DPRK["en"]


def test_the_names_file_says_where_its_names_come_from() -> None:
    readme = (Path(__file__).parent.parent / "consult" / "data" / "README.md").read_text(encoding="utf-8")
    assert "hdx-python-country 4.2.5" in readme and "scripts/un-names" in readme


def test_unknown_code_raises_key_error() -> None:
    with pytest.raises(KeyError):
        country_name("XXX", "en")
    with pytest.raises(KeyError):
        country_name("FR", "en")


def test_sorted_states_french() -> None:
    pairs = sorted_states("fr")
    names = [name for _, name in pairs]
    assert len(pairs) == len(STATES)
    assert names[0] == "Afghanistan"
    # Accents are ignored: Égypte opens the E's, États-Unis d'Amérique follows Eswatini.
    egypt = names.index("Égypte")
    assert names[egypt - 1] == "Dominique"
    assert egypt < names.index("Espagne") < names.index("Eswatini") < names.index("États-Unis d'Amérique")
    assert names.index("Émirats arabes unis") < names.index("Équateur") < names.index("Érythrée")
    assert dict(pairs)[STATES_BY_CODE["EGY"]] == "Égypte"


def test_sorted_states_arabic_as_the_un_lists_them() -> None:
    names = [name for _, name in sorted_states("ar")]
    # Without the article and with every alif alike.
    assert names[:8] == [
        "الاتحاد الروسي",
        "إثيوبيا",
        "أذربيجان",
        "الأرجنتين",
        "الأردن",
        "أرمينيا",
        "إريتريا",
        "إسبانيا",
    ]
    assert names.index("البرازيل") < names.index("بربادوس") < names.index("جمهورية كوريا الشعبية الديمقراطية")
    assert names[-1] == "اليونان"


def test_sorted_states_russian_and_spanish_keep_their_own_letters() -> None:
    russian = [name for _, name in sorted_states("ru")]
    # Й is a letter after И: Yemen follows every И.
    assert russian.index("Италия") < russian.index("Йемен") < russian.index("Кабо-Верде")
    assert russian[0] == "Австралия" and russian[-1] == "Япония"
    assert name_sort_key("Ёлка", "ru") < name_sort_key("Жук", "ru")
    spanish = [name for _, name in sorted_states("es")]
    assert spanish.index("Egipto") < spanish.index("El Salvador") < spanish.index("Emiratos Árabes Unidos")
    assert name_sort_key("nz", "es") < name_sort_key("ñ", "es") < name_sort_key("o", "es")


def test_sorted_states_chinese_by_code_point() -> None:
    names = [name for _, name in sorted_states("zh")]
    assert names == sorted(names)


def test_groups() -> None:
    codes = [g.code for g in GROUPS]
    assert len(codes) == len(set(codes))
    # Organization codes share one unique column with the states' alpha-3 codes.
    assert not set(codes) & set(STATES_BY_CODE)
    assert {g.kind for g in GROUPS} == {
        "group",
        "un_entity",
        "stakeholder",
        "secretariat",
    }
    by_code = {g.code: g for g in GROUPS}
    assert by_code["G77"].kind == "group"
    assert by_code["UNDRR"].kind == "un_entity"
    assert by_code["UCLG"].kind == "stakeholder"
    assert str(by_code["UNH"].name) == "UN-Habitat Secretariat"
