import re
import unicodedata
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask import Flask
from flask_babel import Babel

from consult.geography import (
    GROUPS,
    MEMBER_STATES,
    OBSERVER_STATES,
    REGIONS,
    STATES,
    STATES_BY_CODE,
    country_name,
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


def test_country_name_uses_cldr_in_reader_language() -> None:
    assert country_name("CHN", "zh") == "中国"
    assert country_name("FRA", "fr") == "France"
    assert country_name("DEU", "ru") == "Германия"
    assert country_name("DEU", Locale("de")) == "Deutschland"
    egypt = country_name("EGY", "ar")
    assert egypt and all("ARABIC" in unicodedata.name(c) for c in egypt if not c.isspace())


def test_country_name_falls_back_to_english_when_cldr_lacks_it() -> None:
    assert "FR" not in Locale.parse("ny").territories
    assert country_name("FRA", "ny") == "France"


def test_un_overrides_outside_app_context_are_english() -> None:
    assert country_name("PSE", "en") == "State of Palestine"
    assert country_name("VAT", "fr") == "Holy See"


def test_un_override_is_translated_in_the_requested_locale(tmp_path: Path) -> None:
    catalog = Catalog(locale="fr")
    catalog.add("State of Palestine", "État de Palestine")
    mo_dir = tmp_path / "fr" / "LC_MESSAGES"
    mo_dir.mkdir(parents=True)
    with (mo_dir / "messages.mo").open("wb") as mo:
        write_mo(mo, catalog)
    app = Flask(__name__)
    Babel(app, default_locale="en", default_translation_directories=str(tmp_path))
    with app.app_context():
        assert country_name("PSE", "fr") == "État de Palestine"
        assert country_name("PSE", "en") == "State of Palestine"


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
    # Accents are ignored: Égypte opens the E's, États-Unis follows Eswatini.
    egypt = names.index("Égypte")
    assert names[egypt - 1] == "Dominique"
    assert egypt < names.index("Espagne") < names.index("États-Unis")
    assert names.index("Eswatini") < names.index("États-Unis")
    assert dict(pairs)[STATES_BY_CODE["EGY"]] == "Égypte"


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
