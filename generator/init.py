"""`berita init [DIR]`: a working site for one KPU office.

It writes `site.toml` with the office (its name, level and province; the time zone,
WIB, WITA or WIT, follows from the province), one example article, an empty
`templates/`, a `.gitignore`, and the CI workflows that publish the site on every push
and publish scheduled articles when they fall due. `berita build` then succeeds in
that folder. Nothing that is already there is overwritten.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.config import CMS_BACKENDS, CONFIG_FILE, CONTENT_DIR, LEVELS
from generator.messages import Text, msg, say
from generator.urls import slugify

WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"
PONTIANAK = "Asia/Pontianak"
"""WIB too: the zone the tz database gives West and Central Kalimantan."""

PROVINCES: dict[str, str] = {
    "Aceh": WIB, "Sumatera Utara": WIB, "Sumatera Barat": WIB, "Riau": WIB,
    "Kepulauan Riau": WIB, "Jambi": WIB, "Sumatera Selatan": WIB,
    "Kepulauan Bangka Belitung": WIB, "Bengkulu": WIB, "Lampung": WIB,
    "DKI Jakarta": WIB, "Jawa Barat": WIB, "Banten": WIB, "Jawa Tengah": WIB,
    "DI Yogyakarta": WIB, "Jawa Timur": WIB, "Kalimantan Barat": PONTIANAK,
    "Kalimantan Tengah": PONTIANAK,
    "Bali": WITA, "Nusa Tenggara Barat": WITA, "Nusa Tenggara Timur": WITA,
    "Kalimantan Selatan": WITA, "Kalimantan Timur": WITA, "Kalimantan Utara": WITA,
    "Sulawesi Utara": WITA, "Gorontalo": WITA, "Sulawesi Tengah": WITA,
    "Sulawesi Barat": WITA, "Sulawesi Selatan": WITA, "Sulawesi Tenggara": WITA,
    "Maluku": WIT, "Maluku Utara": WIT, "Papua": WIT, "Papua Barat": WIT,
    "Papua Barat Daya": WIT, "Papua Selatan": WIT, "Papua Tengah": WIT,
    "Papua Pegunungan": WIT,
}
"""Indonesia's 38 provinces and the time zone of each."""

ZONE_NAMES = {WIB: "WIB", PONTIANAK: "WIB", WITA: "WITA", WIT: "WIT"}

DEFAULT_PROVINCE = "DKI Jakarta"
DEFAULT_LEVEL = "provinsi"
SKELETON = "skeleton"
"""Package data (generator/skeleton/): the files every new site gets as they are."""


class InitError(ValueError):
    """An answer berita cannot make a site of. `message` (a msg) says which: the CLI says
    it in the operator's language with messages.say; str() says it in Indonesian."""

    def __init__(self, message: Text) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return say(self.message)


@dataclass(frozen=True)
class Answers:
    """What `berita init` asks (each has a flag)."""

    level: str = DEFAULT_LEVEL
    province: str = DEFAULT_PROVINCE
    region: str = ""
    """The kabupaten or kota, for an office of that level (e.g. "Blora")."""
    title: str = ""
    """The site's title; default: "Berita" and the office's name."""
    base_url: str = ""
    """The published address; default: an example address to change later."""
    cms: str = ""
    """The published editor's backend (github, gitlab or git-gateway); "" for none."""
    repo: str = ""
    """The site's repository, "owner/name", for a github or gitlab editor."""
    branch: str = "main"


@dataclass(frozen=True)
class NewSite:
    folder: Path
    office_name: str
    office_slug: str
    timezone: str
    written: tuple[Path, ...]


def find_province(name: str) -> str:
    """The province's name as PROVINCES has it, whatever its case and spacing (and
    "Yogyakarta", "Jakarta" for the special regions); InitError when there is none."""
    wanted = " ".join(name.split()).casefold()
    aliases = {"yogyakarta": "DI Yogyakarta", "diy": "DI Yogyakarta",
               "jakarta": "DKI Jakarta", "babel": "Kepulauan Bangka Belitung",
               "bangka belitung": "Kepulauan Bangka Belitung", "ntb": "Nusa Tenggara Barat",
               "ntt": "Nusa Tenggara Timur"}
    for province in PROVINCES:
        if province.casefold() == wanted:
            return province
    if wanted in aliases:
        return aliases[wanted]
    close = [p for p in PROVINCES if wanted and wanted in p.casefold()]
    hint = msg(" Did you mean: {names}?", names=", ".join(close)) if close else ""
    raise InitError(msg("unknown province {name!r}.{hint} Choices: {choices}", name=name,
                        hint=hint, choices=", ".join(PROVINCES)))


def office_name(answers: Answers) -> str:
    """"KPU Provinsi Jawa Tengah", "KPU Kabupaten Blora", "KPU Kota Semarang"."""
    if answers.level not in LEVELS:
        raise InitError(msg("unknown level {level!r}: choose one of {choices}",
                            level=answers.level, choices=", ".join(LEVELS)))
    province = find_province(answers.province)
    if answers.level == "provinsi":
        return f"KPU Provinsi {province}"
    region = " ".join(answers.region.split())
    for prefix in ("kabupaten ", "kab. ", "kota "):
        if region.casefold().startswith(prefix):
            region = region[len(prefix):]
    if not region:
        raise InitError(msg("the name of the {level} is missing (--region), e.g. {example}",
                            level=answers.level,
                            example="Blora" if answers.level == "kabupaten" else "Semarang"))
    return f"KPU {answers.level.capitalize()} {region}"


def create(folder: Path, answers: Answers, now: datetime | None = None) -> NewSite:
    """Writes the new site into `folder` (made if missing); InitError, having written
    nothing, when the folder holds a site already or an answer is unusable."""
    if (folder / CONFIG_FILE).exists():
        raise InitError(msg("{path} exists already: this folder holds a site. Choose another "
                            "folder, e.g.: berita init situs-baru", path=folder / CONFIG_FILE))
    name = office_name(answers)
    province = find_province(answers.province)
    check_cms(answers)
    zone = PROVINCES[province]
    slug = slugify(name)
    when = (now or datetime.now(ZoneInfo(zone))).astimezone(ZoneInfo(zone))
    files = {
        CONFIG_FILE: site_toml(answers, name, slug, province, zone),
        f"{CONTENT_DIR}/{slug}/{when.year}/selamat-datang.md": example_article(
            name, slug, zone, when),
        "templates/.gitkeep": "",
        **skeleton_files(),
    }
    existing = [path for path in files if (folder / path).exists()]
    if existing:
        raise InitError(msg("these files exist already and are not overwritten: {files}",
                            files=", ".join(existing)))
    written = []
    for path, text in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return NewSite(folder, name, slug, zone, tuple(written))


def check_cms(answers: Answers) -> None:
    """InitError unless the editor's answers make a valid [cms] table."""
    if answers.cms and answers.cms not in CMS_BACKENDS:
        raise InitError(msg("unknown web editor {cms!r}: choose {choices}", cms=answers.cms,
                            choices=", ".join(CMS_BACKENDS)))
    if answers.cms in ("github", "gitlab") and not re.fullmatch(r"[\w.-]+(/[\w.-]+)+",
                                                                answers.repo):
        raise InitError(msg("the {cms} editor needs the site's repository as owner/name, "
                            "e.g. --repo kpu-blora/berita", cms=answers.cms))


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def site_toml(answers: Answers, name: str, slug: str, province: str, zone: str) -> str:
    title = answers.title.strip() or f"Berita {name}"
    base_url = answers.base_url.strip() or f"https://{slug}.example/"
    if not base_url.endswith("/"):
        base_url += "/"
    return f"""# Pengaturan situs berita {name}. Lihat README berita untuk semua kunci.

[site]
title = {_toml_string(title)}
description = {_toml_string(f"Berita terkini dari {name}.")}
# Alamat situs yang diterbitkan: ganti dengan alamat yang sebenarnya.
base_url = {_toml_string(base_url)}
language = "id"
timezone = "{zone}"
owner = "{slug}"
per_page = 10
feed_length = 20

# Provinsi {province}: zona waktu {ZONE_NAMES[zone]}.
[[offices]]
slug = "{slug}"
name = {_toml_string(name)}
level = "{answers.level}"
timezone = "{zone}"
""" + cms_table(answers)


def cms_table(answers: Answers) -> str:
    """The [cms] table for the answers; "" without an editor."""
    if not answers.cms:
        return ""
    repo = f"repo = {_toml_string(answers.repo)}\n" if answers.cms != "git-gateway" else ""
    sign_in = {
        "github": '# auth_url = "https://oauth.contoh.example"  # OAuth, bila bukan Netlify\n',
        "gitlab": '# app_id = ""  # ID aplikasi OAuth GitLab (masuk tanpa server, PKCE)\n',
    }.get(answers.cms, "")
    return f"""
# Editor web di /admin/ situs yang diterbitkan: setiap berita yang disimpan di sana
# menjadi pull request, diperiksa oleh .github/workflows/periksa.yml sebelum digabung.
# Cara operator masuk (OAuth) untuk setiap backend: docs/cms.md di repositori berita.
[cms]
backend = "{answers.cms}"
{repo}branch = {_toml_string(answers.branch)}
{sign_in}"""


def example_article(name: str, slug: str, zone: str, when: datetime) -> str:
    stamp = when.replace(second=0, microsecond=0).strftime("%Y-%m-%d %H:%M")
    return f"""---
title: Selamat datang di situs berita {name}
date: {stamp}
office: {slug}
tags:
  - pengumuman
summary: Contoh berita pertama. Ubah atau hapus berkas ini setelah menulis berita sendiri.
---
Ini contoh berita pertama situs {name}. Waktunya ditulis dalam zona waktu kantor
({ZONE_NAMES[zone]}).

Untuk menulis berita baru, jalankan `berita new "Judul berita"`, lalu buka
`berita serve` untuk melihat pratinjaunya. Setelah selesai, hapus berkas contoh ini.
"""


def skeleton_files() -> dict[str, str]:
    """The files under generator/skeleton/, by their path in the new site."""
    found: dict[str, str] = {}
    root = resources.files("generator").joinpath(SKELETON)

    def walk(folder, prefix: str) -> None:
        for item in sorted(folder.iterdir(), key=lambda item: item.name):
            # Stored without their leading dot, which packaging tools may leave out.
            name = "." + item.name[4:] if item.name.startswith("dot-") else item.name
            if item.is_dir():
                walk(item, prefix + name + "/")
            else:
                found[prefix + name] = item.read_text(encoding="utf-8")

    walk(root, "")
    return found
