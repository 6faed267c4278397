from datetime import date, datetime
from zoneinfo import ZoneInfo

from generator.i18n import format_number, format_when, month_name, t, zone_name


def test_indonesian_date_with_each_zone():
    moment = datetime(2024, 9, 6, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
    assert format_when(moment) == "Jumat, 6 September 2024 10.00 WIB"
    assert format_when(moment.replace(tzinfo=ZoneInfo("Asia/Makassar"))).endswith("10.00 WITA")
    assert format_when(moment.replace(tzinfo=ZoneInfo("Asia/Jayapura"))).endswith("10.00 WIT")


def test_date_without_time():
    assert format_when(date(2023, 11, 22)) == "Rabu, 22 November 2023"
    moment = datetime(2023, 11, 22, tzinfo=ZoneInfo("Asia/Makassar"))
    assert format_when(moment, with_time=False) == "Rabu, 22 November 2023"


def test_numbers_and_strings():
    assert format_number(1234) == "1.234"
    assert format_number(12345678) == "12.345.678"
    assert t("views", count=format_number(1234)) == "Telah dilihat 1.234 kali"
    assert month_name(8) == "Agustus"
    assert zone_name("Asia/Makassar") == "WITA"
