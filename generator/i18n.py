"""Indonesian dates, numbers and the interface strings, in one place."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, get_month_names
from babel.numbers import format_decimal

LOCALE = "id"

# Python's zoneinfo knows Indonesia's zones only by city; readers know them by
# these abbreviations, and Babel prints them with the pattern below.
ZONE_ABBREVIATIONS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}
ZONES_BY_ABBREVIATION = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}

# Indonesian spelling puts a dot between hours and minutes (10.00 WIB).
DATETIME_PATTERN = "EEEE, d MMMM y HH.mm zzz"
DATE_PATTERN = "EEEE, d MMMM y"

STRINGS: dict[str, str] = {
    "latest": "Berita Terkini",
    "tags": "Tag",
    "all_tags": "Semua Tag",
    "offices": "Kantor",
    "all_offices": "Semua Kantor KPU",
    "archives": "Arsip",
    "search": "Cari",
    "read_more": "Baca selengkapnya",
    "views": "Telah dilihat {count} kali",
    "share": "Bagikan",
    "copy_link": "Salin tautan",
    "link_copied": "Tautan disalin",
    "previous_article": "Berita sebelumnya",
    "next_article": "Berita berikutnya",
    "previous_page": "Halaman sebelumnya",
    "next_page": "Halaman berikutnya",
    "page_of": "Halaman {page} dari {pages}",
    "skip_to_content": "Langsung ke isi",
    "by": "Oleh",
    "source": "Sumber",
    "popular": "Terpopuler",
    "related": "Berita Terkait",
    "articles_count": "{count} berita",
    "no_articles": "Belum ada berita.",
    "not_found_title": "Halaman tidak ditemukan",
    "not_found_text": "Maaf, halaman yang Anda cari tidak ada atau sudah dipindahkan.",
    "draft": "DRAF",
    "scheduled": "TERJADWAL",
    "updated": "Diperbarui",
    "sub_offices": "Kantor di wilayah ini",
    "home": "Beranda",
    "navigation": "Navigasi utama",
}


def zone_name(zone: str) -> str:
    """'Asia/Makassar' -> 'WITA'; other zones keep Babel's own abbreviation."""
    return ZONE_ABBREVIATIONS.get(zone, zone)


def format_when(moment: datetime | date, with_time: bool = True) -> str:
    """'Jumat, 6 September 2024 10.00 WIB' in the moment's own zone."""
    return _format_when(moment, _identity(moment), with_time)


def _identity(moment: datetime | date) -> str:
    """Equal datetimes in different zones are equal to Python but print differently: this
    tells them apart in the caches below."""
    return f"{moment.isoformat()} {getattr(moment, 'tzinfo', None)}"


@lru_cache(maxsize=65536)  # Babel is slow, and pages repeat the same dates
def _format_when(moment: datetime | date, identity: str, with_time: bool) -> str:
    if isinstance(moment, datetime):
        if not with_time:
            return format_date(moment.date(), DATE_PATTERN, locale=LOCALE)
        zone: tzinfo | None = moment.tzinfo
        text = format_datetime(moment, DATETIME_PATTERN, tzinfo=zone, locale=LOCALE)
        key = getattr(zone, "key", None)
        if key in ZONE_ABBREVIATIONS:
            # Babel may print a GMT offset for zones it has no short name for.
            text = text.rsplit(" ", 1)[0] + " " + ZONE_ABBREVIATIONS[key]
        return text
    return format_date(moment, DATE_PATTERN, locale=LOCALE)


def format_short_date(moment: datetime | date) -> str:
    """'6 September 2024', for lists."""
    return _format_short_date(moment, _identity(moment))


@lru_cache(maxsize=65536)
def _format_short_date(moment: datetime | date, identity: str) -> str:
    day = moment.date() if isinstance(moment, datetime) else moment
    return format_date(day, "d MMMM y", locale=LOCALE)


@lru_cache(maxsize=65536)
def format_number(value: int) -> str:
    """12345 -> '12.345'."""
    return format_decimal(value, locale=LOCALE)


@lru_cache(maxsize=16)
def month_name(month: int) -> str:
    """1 -> 'Januari'."""
    return str(get_month_names("wide", locale=LOCALE)[month])


def t(key: str, **params: object) -> str:
    """An interface string, with {placeholders} filled."""
    return STRINGS[key].format(**params)


def zone(key: str) -> ZoneInfo:
    return ZoneInfo(key)
