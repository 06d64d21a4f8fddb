"""UN member states, observer states, regional groups and preloaded organizations.

States are named as the United Nations names them (the UNTERM short names) in the six UN
languages, read from data/un_names.csv, which scripts/un-names writes from OCHA's country
taxonomy: nobody types or translates a State's name here.
"""

from __future__ import annotations

import csv
import functools
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from babel import Locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString


@dataclass(frozen=True)
class State:
    alpha3: str
    alpha2: str
    # UN regional group code (a key of REGIONS); None for the observer states,
    # which belong to no group.
    region: str | None
    observer: bool


REGIONS: Mapping[str, LazyString] = MappingProxyType(
    {
        "AFR": _l("African States"),
        "APG": _l("Asia-Pacific States"),
        "EEG": _l("Eastern European States"),
        "GRULAC": _l("Latin American and Caribbean States"),
        "WEOG": _l("Western European and other States"),
    }
)

# (alpha-3, alpha-2) per regional group, following the UN's list of regional
# groups of member states. English names are comments for reviewers only.
_GROUP_MEMBERS: Mapping[str, tuple[tuple[str, str], ...]] = MappingProxyType(
    {
        "AFR": (
            ("DZA", "DZ"),  # Algeria
            ("AGO", "AO"),  # Angola
            ("BEN", "BJ"),  # Benin
            ("BWA", "BW"),  # Botswana
            ("BFA", "BF"),  # Burkina Faso
            ("BDI", "BI"),  # Burundi
            ("CPV", "CV"),  # Cabo Verde
            ("CMR", "CM"),  # Cameroon
            ("CAF", "CF"),  # Central African Republic
            ("TCD", "TD"),  # Chad
            ("COM", "KM"),  # Comoros
            ("COG", "CG"),  # Congo
            ("CIV", "CI"),  # Côte d'Ivoire
            ("COD", "CD"),  # Democratic Republic of the Congo
            ("DJI", "DJ"),  # Djibouti
            ("EGY", "EG"),  # Egypt
            ("GNQ", "GQ"),  # Equatorial Guinea
            ("ERI", "ER"),  # Eritrea
            ("SWZ", "SZ"),  # Eswatini
            ("ETH", "ET"),  # Ethiopia
            ("GAB", "GA"),  # Gabon
            ("GMB", "GM"),  # Gambia
            ("GHA", "GH"),  # Ghana
            ("GIN", "GN"),  # Guinea
            ("GNB", "GW"),  # Guinea-Bissau
            ("KEN", "KE"),  # Kenya
            ("LSO", "LS"),  # Lesotho
            ("LBR", "LR"),  # Liberia
            ("LBY", "LY"),  # Libya
            ("MDG", "MG"),  # Madagascar
            ("MWI", "MW"),  # Malawi
            ("MLI", "ML"),  # Mali
            ("MRT", "MR"),  # Mauritania
            ("MUS", "MU"),  # Mauritius
            ("MAR", "MA"),  # Morocco
            ("MOZ", "MZ"),  # Mozambique
            ("NAM", "NA"),  # Namibia
            ("NER", "NE"),  # Niger
            ("NGA", "NG"),  # Nigeria
            ("RWA", "RW"),  # Rwanda
            ("STP", "ST"),  # Sao Tome and Principe
            ("SEN", "SN"),  # Senegal
            ("SYC", "SC"),  # Seychelles
            ("SLE", "SL"),  # Sierra Leone
            ("SOM", "SO"),  # Somalia
            ("ZAF", "ZA"),  # South Africa
            ("SSD", "SS"),  # South Sudan
            ("SDN", "SD"),  # Sudan
            ("TGO", "TG"),  # Togo
            ("TUN", "TN"),  # Tunisia
            ("UGA", "UG"),  # Uganda
            ("TZA", "TZ"),  # United Republic of Tanzania
            ("ZMB", "ZM"),  # Zambia
            ("ZWE", "ZW"),  # Zimbabwe
        ),
        "APG": (
            ("AFG", "AF"),  # Afghanistan
            ("BHR", "BH"),  # Bahrain
            ("BGD", "BD"),  # Bangladesh
            ("BTN", "BT"),  # Bhutan
            ("BRN", "BN"),  # Brunei Darussalam
            ("KHM", "KH"),  # Cambodia
            ("CHN", "CN"),  # China
            ("CYP", "CY"),  # Cyprus
            ("PRK", "KP"),  # Democratic People's Republic of Korea
            ("FJI", "FJ"),  # Fiji
            ("IND", "IN"),  # India
            ("IDN", "ID"),  # Indonesia
            ("IRN", "IR"),  # Iran (Islamic Republic of)
            ("IRQ", "IQ"),  # Iraq
            ("JPN", "JP"),  # Japan
            ("JOR", "JO"),  # Jordan
            ("KAZ", "KZ"),  # Kazakhstan
            ("KIR", "KI"),  # Kiribati (in no group until it joined in 2010)
            ("KWT", "KW"),  # Kuwait
            ("KGZ", "KG"),  # Kyrgyzstan
            ("LAO", "LA"),  # Lao People's Democratic Republic
            ("LBN", "LB"),  # Lebanon
            ("MYS", "MY"),  # Malaysia
            ("MDV", "MV"),  # Maldives
            ("MHL", "MH"),  # Marshall Islands
            ("FSM", "FM"),  # Micronesia (Federated States of)
            ("MNG", "MN"),  # Mongolia
            ("MMR", "MM"),  # Myanmar
            ("NRU", "NR"),  # Nauru
            ("NPL", "NP"),  # Nepal
            ("OMN", "OM"),  # Oman
            ("PAK", "PK"),  # Pakistan
            ("PLW", "PW"),  # Palau
            ("PNG", "PG"),  # Papua New Guinea
            ("PHL", "PH"),  # Philippines
            ("QAT", "QA"),  # Qatar
            ("KOR", "KR"),  # Republic of Korea
            ("WSM", "WS"),  # Samoa
            ("SAU", "SA"),  # Saudi Arabia
            ("SGP", "SG"),  # Singapore
            ("SLB", "SB"),  # Solomon Islands
            ("LKA", "LK"),  # Sri Lanka
            ("SYR", "SY"),  # Syrian Arab Republic
            ("TJK", "TJ"),  # Tajikistan
            ("THA", "TH"),  # Thailand
            ("TLS", "TL"),  # Timor-Leste
            ("TON", "TO"),  # Tonga
            ("TKM", "TM"),  # Turkmenistan
            ("TUV", "TV"),  # Tuvalu
            ("ARE", "AE"),  # United Arab Emirates
            ("UZB", "UZ"),  # Uzbekistan
            ("VUT", "VU"),  # Vanuatu
            ("VNM", "VN"),  # Viet Nam
            ("YEM", "YE"),  # Yemen
        ),
        "EEG": (
            ("ALB", "AL"),  # Albania
            ("ARM", "AM"),  # Armenia
            ("AZE", "AZ"),  # Azerbaijan
            ("BLR", "BY"),  # Belarus
            ("BIH", "BA"),  # Bosnia and Herzegovina
            ("BGR", "BG"),  # Bulgaria
            ("HRV", "HR"),  # Croatia
            ("CZE", "CZ"),  # Czechia
            ("EST", "EE"),  # Estonia
            ("GEO", "GE"),  # Georgia
            ("HUN", "HU"),  # Hungary
            ("LVA", "LV"),  # Latvia
            ("LTU", "LT"),  # Lithuania
            ("MNE", "ME"),  # Montenegro
            ("MKD", "MK"),  # North Macedonia
            ("POL", "PL"),  # Poland
            ("MDA", "MD"),  # Republic of Moldova
            ("ROU", "RO"),  # Romania
            ("RUS", "RU"),  # Russian Federation
            ("SRB", "RS"),  # Serbia
            ("SVK", "SK"),  # Slovakia
            ("SVN", "SI"),  # Slovenia
            ("UKR", "UA"),  # Ukraine
        ),
        "GRULAC": (
            ("ATG", "AG"),  # Antigua and Barbuda
            ("ARG", "AR"),  # Argentina
            ("BHS", "BS"),  # Bahamas
            ("BRB", "BB"),  # Barbados
            ("BLZ", "BZ"),  # Belize
            ("BOL", "BO"),  # Bolivia (Plurinational State of)
            ("BRA", "BR"),  # Brazil
            ("CHL", "CL"),  # Chile
            ("COL", "CO"),  # Colombia
            ("CRI", "CR"),  # Costa Rica
            ("CUB", "CU"),  # Cuba
            ("DMA", "DM"),  # Dominica
            ("DOM", "DO"),  # Dominican Republic
            ("ECU", "EC"),  # Ecuador
            ("SLV", "SV"),  # El Salvador
            ("GRD", "GD"),  # Grenada
            ("GTM", "GT"),  # Guatemala
            ("GUY", "GY"),  # Guyana
            ("HTI", "HT"),  # Haiti
            ("HND", "HN"),  # Honduras
            ("JAM", "JM"),  # Jamaica
            ("MEX", "MX"),  # Mexico
            ("NIC", "NI"),  # Nicaragua
            ("PAN", "PA"),  # Panama
            ("PRY", "PY"),  # Paraguay
            ("PER", "PE"),  # Peru
            ("KNA", "KN"),  # Saint Kitts and Nevis
            ("LCA", "LC"),  # Saint Lucia
            ("VCT", "VC"),  # Saint Vincent and the Grenadines
            ("SUR", "SR"),  # Suriname
            ("TTO", "TT"),  # Trinidad and Tobago
            ("URY", "UY"),  # Uruguay
            ("VEN", "VE"),  # Venezuela (Bolivarian Republic of)
        ),
        "WEOG": (
            ("AND", "AD"),  # Andorra
            ("AUS", "AU"),  # Australia
            ("AUT", "AT"),  # Austria
            ("BEL", "BE"),  # Belgium
            ("CAN", "CA"),  # Canada
            ("DNK", "DK"),  # Denmark
            ("FIN", "FI"),  # Finland
            ("FRA", "FR"),  # France
            ("DEU", "DE"),  # Germany
            ("GRC", "GR"),  # Greece
            ("ISL", "IS"),  # Iceland
            ("IRL", "IE"),  # Ireland
            ("ISR", "IL"),  # Israel
            ("ITA", "IT"),  # Italy
            ("LIE", "LI"),  # Liechtenstein
            ("LUX", "LU"),  # Luxembourg
            ("MLT", "MT"),  # Malta
            ("MCO", "MC"),  # Monaco
            ("NLD", "NL"),  # Netherlands
            ("NZL", "NZ"),  # New Zealand
            ("NOR", "NO"),  # Norway
            ("PRT", "PT"),  # Portugal
            ("SMR", "SM"),  # San Marino
            ("ESP", "ES"),  # Spain
            ("SWE", "SE"),  # Sweden
            ("CHE", "CH"),  # Switzerland
            # Türkiye takes part in both WEOG and the Asia-Pacific Group but is
            # counted in WEOG for electoral purposes.
            ("TUR", "TR"),  # Türkiye
            ("GBR", "GB"),  # United Kingdom
            # The United States belongs to no group; it attends WEOG as an
            # observer and is counted there for electoral purposes.
            ("USA", "US"),  # United States of America
        ),
    }
)

MEMBER_STATES: tuple[State, ...] = tuple(
    sorted(
        (
            State(alpha3, alpha2, region, observer=False)
            for region, members in _GROUP_MEMBERS.items()
            for alpha3, alpha2 in members
        ),
        key=lambda state: state.alpha3,
    )
)

# Non-member observer states: in no regional group.
OBSERVER_STATES: tuple[State, ...] = (
    State("VAT", "VA", None, observer=True),  # Holy See
    State("PSE", "PS", None, observer=True),  # State of Palestine
)

STATES: tuple[State, ...] = MEMBER_STATES + OBSERVER_STATES

STATES_BY_CODE: Mapping[str, State] = MappingProxyType({state.alpha3: state for state in STATES})

UN_NAME_LANGUAGES = ("ar", "en", "es", "fr", "ru", "zh")

_UN_NAMES_FILE = Path(__file__).parent / "data" / "un_names.csv"


def _read_un_names() -> Mapping[str, Mapping[str, str]]:
    with _UN_NAMES_FILE.open(encoding="utf-8", newline="") as names:
        return MappingProxyType(
            {
                row["alpha3"]: MappingProxyType({code: row[code] for code in UN_NAME_LANGUAGES})
                for row in csv.DictReader(names)
            }
        )


_UN_NAMES = _read_un_names()


def _language(locale: str | Locale | None) -> str:
    """The base language of a locale: "zh" for zh_Hans or zh-Hans, "pt" for pt_BR."""
    if isinstance(locale, Locale):
        return locale.language
    return (str(locale) if locale else "en").replace("-", "_").split("_")[0].lower()


def country_name(alpha3: str, locale: str | Locale | None) -> str:
    """The UN short name of the state with this alpha-3 code in the reader's language; in English
    for a language other than the six of the UN.

    Raises KeyError for a code that is neither a member nor an observer state.
    """
    if alpha3 not in STATES_BY_CODE:
        raise KeyError(alpha3)
    names = _UN_NAMES[alpha3]
    return names.get(_language(locale), names["en"])


# Arabic letters that sort as another: the hamza seats as a bare alif (NFKD leaves these
# precomposed), tā' marbūṭa as hā', alif maqṣūra as yā'.
_ARABIC_FOLDS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي"})
_ARABIC_ARTICLE = "ال"
# Letters of their own that stripping diacritics would merge into another: Russian й comes
# after и, Spanish ñ after n (a character above every letter puts it after "nz").
_OWN_LETTERS = {"й": "й", "ñ": "n\U0010ffff"}


def name_sort_key(name: str, locale: str | Locale | None = None) -> str:
    """A key that puts names in alphabetical order in the reader's language.

    Babel has no collation and PyICU is not installed: diacritics and case are ignored, so
    "Égypte" sorts among the E's and "Ёлка" with the Е's; й and ñ stay letters of their own.
    Arabic names sort as the UN lists them, without the article and with every alif alike
    ("الأرجنتين" between "أذربيجان" and "أرمينيا"). Chinese names sort by code point.
    """
    return _sort_key(name, _language(locale))


# Every page with a list of delegations sorts the same 200 names again: each key is made once.
@functools.lru_cache(maxsize=8192)
def _sort_key(name: str, language: str) -> str:
    text = unicodedata.normalize("NFC", name).casefold()
    if language == "ar":
        if text.startswith(_ARABIC_ARTICLE) and len(text) > len(_ARABIC_ARTICLE) + 1:
            text = text[len(_ARABIC_ARTICLE) :]
        text = text.translate(_ARABIC_FOLDS)
    key = []
    for character in text:
        if character in _OWN_LETTERS:
            key.append(_OWN_LETTERS[character])
            continue
        decomposed = unicodedata.normalize("NFKD", character)
        key.append("".join(c for c in decomposed if not unicodedata.combining(c)))
    return "".join(key)


def sorted_states(locale: str | Locale | None) -> list[tuple[State, str]]:
    """All member and observer states with their names, sorted by name in the reader's language."""
    named = [(state, country_name(state.alpha3, locale)) for state in STATES]
    return sorted(named, key=lambda pair: name_sort_key(pair[1], locale))


GroupKind = Literal["group", "un_entity", "stakeholder", "secretariat"]


@dataclass(frozen=True)
class Group:
    kind: GroupKind
    code: str
    name: LazyString


# Non-state participants preloaded alongside the states. Organization codes are
# unique across states and others, so none may equal an alpha-3 code.
GROUPS: tuple[Group, ...] = (
    Group("group", "AG", _l("African Group")),
    Group("group", "EU", _l("European Union")),
    Group("group", "G77", _l("Group of 77 and China")),
    Group("un_entity", "UNEP", _l("United Nations Environment Programme")),
    Group("un_entity", "UNDP", _l("United Nations Development Programme")),
    Group(
        "un_entity",
        "UNHCR",
        _l("Office of the United Nations High Commissioner for Refugees"),
    ),
    Group(
        "un_entity",
        "OHCHR",
        _l("Office of the United Nations High Commissioner for Human Rights"),
    ),
    Group(
        "un_entity",
        "UNDRR",
        _l("United Nations Office for Disaster Risk Reduction"),
    ),
    Group("stakeholder", "SDI", _l("Slum Dwellers International")),
    Group("stakeholder", "HIC", _l("Habitat International Coalition")),
    # A professional association of planners.
    Group(
        "stakeholder",
        "ISOCARP",
        _l("International Society of City and Regional Planners"),
    ),
    Group("stakeholder", "UCLG", _l("United Cities and Local Governments")),
    Group("secretariat", "UNH", _l("UN-Habitat Secretariat")),
)

# Groups of States loaded with their members by migration 0013 (the African Group, the EU and the
# G77 above were loaded earlier, without members). Names only: who belongs is in the database.
GROUPS_ADDED_WITH_MEMBERS: tuple[Group, ...] = (
    Group("group", "ARAB", _l("Arab Group")),
    Group("group", "LDC", _l("Least Developed Countries")),
    Group("group", "SIDS", _l("Small Island Developing States")),
)
