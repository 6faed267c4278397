"""`berita serve`: a live preview for operators.

Builds the site (drafts and scheduled articles included and marked) into a
temporary folder, serves it with livereload, rebuilds when a file under
content/ or templates/ or site.toml changes, and reloads the open browser
tabs. A rebuild reuses everything the build cache (.berita-cache/) holds for
unchanged files: parsed articles, rendered Markdown and unchanged pages. When
a save breaks the site, every page shows what is wrong, and the last good
build keeps serving its styles and images; fixing the file brings the site
back by itself.

Only files inside the built site are ever served: requests with "..", encoded
slashes or backslashes, NUL bytes or empty path segments get a 404. Builds are
staged and swapped in whole (spare.SpareStaging), so a request never sees a
half-built site.
"""

from __future__ import annotations

import glob
import html
import logging
import mimetypes
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote

import click
from livereload import Server
from livereload.handlers import LiveReloadHandler
from tornado import web

from generator import build, content, templatedirs
from generator.config import CONFIG_FILE
from generator.messages import DEFAULT_LANGUAGE, msg, msg_n, say
from generator.problems import BuildFailed, Problem, errors

ERROR_TITLE = msg("There is a mistake in your news")
ERROR_INTRO = msg("The preview site cannot be rebuilt yet. Fix the things below, then save "
                  "the file: this page will reload by itself.")
ERROR_HINT = msg("Each line names file:line: field: the problem.")
GENERATION_PATH = "/__berita/build"
# livereload reloads the pages whose socket is open when a rebuild ends; a page opened
# just before (its socket not yet connected) would miss that. So each page also asks,
# for its first seconds, whether a rebuild ended since it was made.
_GENERATION_SCRIPT = (
    '<script>(function(){{var b={generation},n=0;function ask(){{'
    'fetch("' + "/__berita/build" + '",{{cache:"no-store"}}).then(function(r){{'
    'return r.json()}}).then(function(j){{if(j.build!==b){{location.reload()}}'
    'else if(++n<15){{setTimeout(ask,1000)}}}}).catch(function(){{'
    'if(++n<15){{setTimeout(ask,1000)}}}})}}setTimeout(ask,1000)}})();</script>')


def with_generation(page: bytes, generation: int) -> bytes:
    """The page, with the script that reloads it if a rebuild ended before its
    livereload socket was open."""
    script = _GENERATION_SCRIPT.format(generation=generation).encode()
    at = page.find(b"</head>")
    return page if at < 0 else page[:at] + script + page[at:]


# Paths the browser may ask for that must never reach the file system as written.
_FORBIDDEN_ENCODED = ("%2f", "%5c", "%00")


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str = "text/html; charset=utf-8"
    body: bytes = b""
    location: str = ""


@dataclass
class Preview:
    """The preview server's state: where the last complete build is, and whether the
    latest rebuild failed (and why)."""

    root: Path
    output: Path
    """The built site: a folder inside a temporary directory, swapped in whole."""
    options: build.BuildOptions
    problems: list[Problem] = field(default_factory=list)
    """Why the latest rebuild failed; empty when it succeeded."""
    headline: str = ""
    built: bool = False
    """A complete build exists in `output`."""
    generation: int = 0
    """How many rebuilds have ended (well or not): a page knows the one it came from."""
    language: str = DEFAULT_LANGUAGE
    """The operator's: of the error page and of the terminal's lines."""

    @property
    def failed(self) -> bool:
        return bool(self.problems)

    def _waiting(self, lock_file: Path, holder: int | None) -> None:
        from generator.lock import waiting_notice

        click.echo(say(waiting_notice(lock_file, holder), self.language), err=True)

    def rebuild(self) -> build.BuildResult | None:
        """Builds into `output`; on failure keeps the previous build and records why."""
        try:
            # A `berita build` of this site at the same time: this rebuild waits its turn.
            result = build.run(self.root, self.output, self.options, waiting=self._waiting)
        except BuildFailed as failure:
            self.problems = failure.problems or [Problem(CONFIG_FILE, None, None,
                                                         failure.headline)]
            self.headline = failure.headline
            self.generation += 1
            return None
        except Exception as exc:  # a bug must not stop the preview: show it instead
            trace = traceback.format_exc()
            self.problems = [Problem("berita", None, None, msg(
                "an unexpected error in berita itself: {kind}: {error}",
                kind=type(exc).__name__, error=str(exc)))]
            self.headline = trace.strip().splitlines()[-1]
            click.echo(trace, err=True)
            self.generation += 1
            return None
        self.problems, self.headline, self.built = [], "", True
        self.generation += 1
        return result

    def respond(self, raw_path: str) -> Response:
        """The answer to a GET for `raw_path` (the request path, still percent-encoded)."""
        relative = safe_request_path(raw_path)
        if relative is None:
            return self._not_found()
        file = self._file(relative)
        if file is not None and file.is_dir():
            if not raw_path.endswith("/"):
                return Response(301, location=raw_path + "/")
            file = self._file(relative + "/index.html" if relative else "index.html")
        if file is not None and not file.is_file():
            file = None
        content_type = _content_type(file) if file is not None else "text/html"
        if self.failed and content_type.startswith("text/html"):
            return Response(500, body=self.error_page())
        if file is None:
            return self._not_found()
        return Response(200, content_type, file.read_bytes())

    def _file(self, relative: str) -> Path | None:
        """The file a safe relative path names, if it lies inside the built site."""
        if not self.built:
            return None
        top = self.output.resolve()
        target = (top / relative) if relative else top
        try:
            resolved = target.resolve()
        except OSError:
            return None
        return resolved if resolved == top or resolved.is_relative_to(top) else None

    def _not_found(self) -> Response:
        if self.failed:
            return Response(500, body=self.error_page())
        page = self._file("404.html")
        body = page.read_bytes() if page is not None and page.is_file() else \
            b"<!doctype html><title>404</title><h1>404</h1>"
        return Response(404, body=body)

    def error_page(self) -> bytes:
        """What is wrong, in a page of its own (it must work when the templates don't), in
        the operator's language."""
        def said(text: str) -> str:
            return html.escape(say(text, self.language))

        items = "\n".join(
            f'<li class="{p.severity}"><code>{html.escape(p.describe(self.language))}</code></li>'
            for p in self.problems
        )
        counted = msg_n("{count} problem", "{count} problems",
                        len(errors(self.problems)) or len(self.problems))
        page = f"""<!doctype html>
<html lang="{html.escape(self.language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{said(ERROR_TITLE)}</title>
<style>
body {{ font: 1.05rem/1.55 system-ui, sans-serif; margin: 0; padding: 1rem;
       background: #fff8f6; color: #1b1f24; }}
main {{ max-width: 60rem; margin: 0 auto; }}
h1 {{ color: #8b0000; font-size: 1.5rem; }}
ol {{ padding-left: 1.5rem; }}
li {{ margin: .6rem 0; }}
code {{ white-space: pre-wrap; word-break: break-word; font-size: .95rem; }}
.warning code {{ color: #57606a; }}
</style>
</head>
<body>
<main id="berita-error">
<h1>{said(ERROR_TITLE)}</h1>
<p>{said(ERROR_INTRO)}</p>
<p><strong>{said(counted)}</strong>. {said(ERROR_HINT)}</p>
<ol class="problems">
{items}
</ol>
<p><small>{said(self.headline)}</small></p>
</main>
</body>
</html>
"""
        return page.encode("utf-8")


def safe_request_path(raw_path: str) -> str | None:
    """A request path -> a relative path inside the site, or None when it must be refused.

    Refused: paths not starting with "/", encoded slashes, backslashes and NULs,
    "." and ".." segments (also percent-encoded), empty segments ("//etc") and
    bytes that are not UTF-8.
    """
    if not raw_path.startswith("/") or any(bad in raw_path.lower()
                                           for bad in _FORBIDDEN_ENCODED):
        return None
    try:
        decoded = unquote(raw_path, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return None
    if "\x00" in decoded or "\\" in decoded:
        return None
    inner = decoded[1:]
    if inner.endswith("/"):
        inner = inner[:-1]
    if not inner:
        return ""
    parts = inner.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    # No file can have a longer name (NAME_MAX, PATH_MAX): the file system would refuse
    # to look, with an error instead of "not found".
    if any(len(part.encode()) > 255 for part in parts) or len(inner.encode()) > 4000:
        return None
    return "/".join(parts)


def _content_type(file: Path) -> str:
    kind, encoding = mimetypes.guess_type(file.name)
    if kind is None or encoding is not None:
        return "application/octet-stream"
    if kind.startswith("text/") or kind in ("application/javascript", "application/json",
                                            "application/xml", "image/svg+xml"):
        return kind + "; charset=utf-8"
    return kind


class _PageHandler(web.RequestHandler):
    """Answers every request outside livereload's own from the Preview."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def compute_etag(self) -> None:
        return None  # pages change on every save; never answer 304

    def get(self, *_: str) -> None:
        self._answer(include_body=True)

    def head(self, *_: str) -> None:
        self._answer(include_body=False)

    def _answer(self, include_body: bool) -> None:
        if self.request.path == GENERATION_PATH:
            answer = Response(200, "application/json",
                              b'{"build": %d}' % self.preview.generation)
        else:
            answer = self.preview.respond(self.request.path)
        if answer.content_type.startswith("text/html"):
            answer = replace(answer, body=with_generation(answer.body,
                                                          self.preview.generation))
        self.set_status(answer.status)
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        if answer.location:
            self.set_header("Location", answer.location)
            return
        self.set_header("Content-Type", answer.content_type)
        if include_body:
            self.write(answer.body)
        else:
            self.set_header("Content-Length", str(len(answer.body)))


class _EditorBackendHandler(web.RequestHandler):
    """Decap CMS's local backend (cmsbackend.py) at /api/v1, for the editor at /admin/.

    Only a JSON POST from this preview's own pages is answered: another site open in
    the same browser cannot send one (a JSON request from elsewhere needs a CORS
    pre-flight, which is never granted), so it cannot write into content/."""

    def initialize(self, root: Path, hosts: frozenset[str]) -> None:
        self.root, self.hosts = root, hosts

    def post(self) -> None:
        import json

        from generator import cmsbackend

        self.set_header("Cache-Control", "no-store")
        kind = self.request.headers.get("Content-Type", "").split(";")[0].strip()
        origin = self.request.headers.get("Origin")
        own = f"{self.request.protocol}://{self.request.host}"
        # The Host too: a name of the attacker's that resolves to this machine (DNS
        # rebinding) would otherwise be "own".
        if kind != "application/json" or self.request.host not in self.hosts or \
                (origin is not None and origin != own):
            self.set_status(403)
            self.write({"error": "hanya editor di pratinjau ini yang boleh menyimpan"})
            return
        try:
            request = json.loads(self.request.body or b"null")
        except ValueError:
            request = None
        answer = cmsbackend.answer(self.root, request)
        self.set_status(answer.status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.write(json.dumps(answer.body, ensure_ascii=False))


class _EditorHandler(web.RequestHandler):
    """The web editor: /admin/ (Decap CMS, configured from site.toml; see editor/). Its
    page and configuration are the last good preview build's (which knows the site's
    tags); before there is one, made from site.toml alone."""

    def initialize(self, preview: Preview) -> None:
        self.preview = preview

    def get(self, name: str) -> None:
        from generator import editor

        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        kinds = {".js": "text/javascript; charset=utf-8", ".wasm": "application/wasm",
                 ".yml": "text/yaml; charset=utf-8", ".html": "text/html; charset=utf-8",
                 ".txt": "text/plain; charset=utf-8"}
        name = name or "index.html"
        if name in ("index.html", "config.yml"):
            data = self._site_file(name)
            if data is None:
                return
        elif name in editor.SCRIPTS:
            data = editor.script(name).read_bytes()
        else:
            folder, _, file = name.partition("/")
            asset = editor.assets() / file
            if folder != "decap" or "/" in file or not file or not asset.is_file():
                self.set_status(404)
                return
            data = asset.read_bytes()
        self.set_header("Content-Type", kinds.get(Path(name).suffix, "application/octet-stream"))
        self.write(data)

    def _site_file(self, name: str) -> bytes | None:
        from generator import config as config_stage
        from generator import editor

        built = self.preview.output / editor.FOLDER / name
        if self.preview.built and built.is_file():
            return built.read_bytes()
        config, problems = config_stage.load(self.preview.root)
        if config is None:
            self.set_status(500)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.write("\n".join(problem.describe(self.preview.language)
                                 for problem in problems))
            return None
        files = {file.path: file.data
                 for file in editor.site_files(config, (), published=False)}
        return files[f"{editor.FOLDER}/{name}"]


class _PreviewServer(Server):
    """livereload's Server, serving the Preview instead of a folder as it is."""

    def __init__(self, preview: Preview) -> None:
        super().__init__()
        self.preview = preview

    def get_web_handlers(self, script: bytes) -> list:
        return [(r"/api/v1", _EditorBackendHandler,
                 {"root": self.preview.root, "hosts": editor_hosts(self.preview)}),
                (r"/admin", web.RedirectHandler, {"url": "/admin/"}),
                (r"/admin/(.*)", _EditorHandler, {"preview": self.preview}),
                (r"/.*", _PageHandler, {"preview": self.preview})]


def editor_hosts(preview: Preview) -> frozenset[str]:
    """The Host headers of requests the editor's backend answers: the preview's address,
    and this machine's own names for it."""
    from urllib.parse import urlsplit

    address = urlsplit(preview.options.base_url or "")
    port = address.port or 80
    return frozenset({address.netloc, f"127.0.0.1:{port}", f"localhost:{port}",
                      f"[::1]:{port}"})


def watched(root: Path) -> list[str]:
    """Glob patterns of every file a rebuild depends on."""
    # The site's templates/ even before it exists: creating it changes the site.
    folders = [root / content.CONTENT_DIR, root / "templates", templatedirs.default_theme()]
    folders = list(dict.fromkeys(folder.resolve() for folder in folders))
    patterns = [os.path.join(glob.escape(str(folder)), "**", "*") for folder in folders]
    return [*patterns, glob.escape(str(root / CONFIG_FILE))]


def _is_litter(path: str) -> bool:
    return content.is_editor_litter(os.path.basename(path))


def report(preview: Preview, result: build.BuildResult | None) -> None:
    """The terminal's view of a (re)build: the same problems the browser shows, in the
    same language."""
    language = preview.language
    stamp = time.strftime("%H:%M:%S")
    if result is None:
        for problem in preview.problems:
            click.echo(problem.describe(language), err=True)
        click.echo(f"[{stamp}] {say(ERROR_TITLE, language)}: "
                   f"{say(preview.headline, language)}", err=True)
        click.echo(f"[{stamp}] " + say(msg("Fix the file and save it; the preview will "
                                           "recover by itself."), language), err=True)
        return
    for problem in result.warnings:
        click.echo(problem.describe(language), err=True)
    hidden = msg(", {count} hidden", count=len(result.skipped)) if result.skipped else ""
    click.echo(f"[{stamp}] " + say(msg(
        "Built: {articles}, {pages} ({changed} changed){hidden}, {seconds:.2f} seconds",
        articles=msg_n("{count} article", "{count} articles", result.articles),
        pages=msg_n("{count} page", "{count} pages", result.pages),
        changed=result.files_changed, hidden=hidden, seconds=result.seconds), language),
        err=True)


def run(root: Path, host: str = "127.0.0.1", port: int = 8000, drafts: bool = True,
        open_browser: bool = False, search: bool = False,
        language: str = DEFAULT_LANGUAGE) -> None:
    """Serves a live preview of the site in `root` until interrupted, speaking `language`
    to the operator (terminal and error page). The search index is left out unless
    `search`: a save then costs what `berita build --no-search`'s does."""
    root = root.absolute()
    if not (root / CONFIG_FILE).is_file():
        raise BuildFailed([Problem(CONFIG_FILE, None, None,
                                   msg("site.toml not found in {folder}", folder=root),
                                   msg("a site folder holding site.toml (use -s/--site)"))],
                          msg("The preview was not started."))
    shown_host = f"[{host}]" if ":" in host else host
    address = f"http://{shown_host}:{port}/"
    options = build.BuildOptions(drafts=drafts, future=drafts, base_url=address,
                                 preview=True, search=search)
    workdir = Path(tempfile.mkdtemp(prefix="berita-serve-"))
    preview = Preview(root, workdir / "site", options, language=language)
    report(preview, preview.rebuild())

    def rebuild() -> None:
        was_failed = preview.failed
        report(preview, preview.rebuild())
        # A stylesheet-only change may be swapped in place; anything else reloads the page.
        changed = server.watcher.filepath or "*"
        path = "*" if preview.failed or was_failed else changed
        LiveReloadHandler.reload_waiters(path)

    server = _PreviewServer(preview)
    for pattern in watched(root):
        server.watch(pattern, rebuild, ignore=_is_litter)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(say(msg("Note: the preview is open to the network at {host}, drafts "
                           "included.", host=host), language), err=True)
    click.echo(say(msg("Preview: {address}  (Ctrl+C to stop)", address=address), language),
               err=True)
    try:
        server.serve(port=port, host=host, debug=False, restart_delay=0,
                     open_url_delay=0.5 if open_browser else None)
    except OSError as exc:
        raise click.ClickException(say(msg(
            "cannot listen on {host}:{port}: {error} (another program uses this port? try "
            "--port 8001)", host=host, port=port, error=exc.strerror or exc), language)
        ) from None
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        logging.getLogger("livereload").handlers.clear()
        sys.stderr.flush()
