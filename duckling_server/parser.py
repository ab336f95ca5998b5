"""A thin typed wrapper over pyduckling (``import duckling``).

Facebook's Duckling is compiled into the ``pyduckling-native-phihos`` wheel; its
Haskell runtime starts when ``duckling`` is first imported. This module imports
it lazily, once, inside :class:`DucklingParser`, so importing the module has no
side effect.

Things the bindings get wrong, handled here:

* The Haskell runtime decodes the input with the C locale of the process. Under
  a non-UTF-8 locale (``LC_ALL=C``) non-ASCII text is mangled and some rules'
  regexes fail to compile, which kills the whole process. :func:`ensure_utf8_locale`
  switches to ``C.UTF-8`` before the runtime starts.
* The JSON comes back double-encoded (each UTF-8 byte as one character):
  ``"5€"`` arrives as ``"5\\xe2\\x82\\xac"``. :func:`_repair_utf8` undoes it.
* Text with a NUL character makes the Rust side panic and a lone surrogate
  cannot be encoded; :func:`_safe_text` replaces each with one character, so
  offsets still index the caller's string.
* Unknown languages, regions, time zones and dimensions are silently replaced
  by defaults (English, UTC, nothing). :class:`DucklingParser` checks them first
  and raises :class:`DucklingInputError` instead.

Calls are serialised with a lock: the bindings release the GIL while Haskell
parses, but they do not document that the runtime may be entered from several
OS threads at once, and eight concurrent threads were no faster than one.
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
import zoneinfo
from pathlib import Path
from typing import Any, Iterable, MutableMapping, Sequence

DEFAULT_LOCALE = "en_US"
DEFAULT_ZONEINFO_DIR = "/usr/share/zoneinfo"

#: Every dimension this Duckling build knows (``parse_dimensions`` drops others).
DIMENSIONS: tuple[str, ...] = (
    "amount-of-money",
    "credit-card-number",
    "distance",
    "duration",
    "email",
    "number",
    "ordinal",
    "phone-number",
    "quantity",
    "temperature",
    "time",
    "time-grain",
    "url",
    "volume",
)

# Year 1 to year 9999, in milliseconds since the epoch.
_MIN_REFTIME_MS = -62_135_596_800_000
_MAX_REFTIME_MS = 253_402_300_799_999

_LOCALE_RE = re.compile(r"(?P<lang>[A-Za-z]{2})(?:[_-](?P<region>[A-Za-z]{2}|[0-9]{3}))?")
_UTF8_NAMES = ("utf-8", "utf8")
_UNSENDABLE_RE = re.compile("[\x00\ud800-\udfff]")

Entity = dict[str, Any]


class DucklingInputError(ValueError):
    """A locale, time zone, dimension or reference time Duckling cannot use."""


def ensure_utf8_locale(environ: MutableMapping[str, str] = os.environ) -> bool:
    """Make the locale the Haskell runtime will read a UTF-8 one.

    The runtime calls ``setlocale(LC_CTYPE, "")`` when it starts, so this must
    run before ``duckling`` is imported. Returns True when it changed anything.
    """
    for name in ("LC_ALL", "LC_CTYPE", "LANG"):
        value = environ.get(name)
        if value:
            if any(marker in value.lower() for marker in _UTF8_NAMES):
                return False
            break
    environ["LC_ALL"] = "C.UTF-8"
    return True


def _repair_utf8(raw: str) -> str:
    """Undo the bindings' double encoding; leave correctly decoded text alone."""
    if raw.isascii():
        return raw
    try:
        return raw.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return raw


def _safe_text(text: str) -> str:
    """``text`` with NULs as spaces and lone surrogates as U+FFFD (same length)."""
    return _UNSENDABLE_RE.sub(lambda found: " " if found[0] == "\x00" else "\ufffd", text)


def _installed_zones(zoneinfo_dir: Path) -> frozenset[str]:
    return frozenset(
        name for name in zoneinfo.available_timezones() if (zoneinfo_dir / name).is_file()
    )


def normalise_dimensions(dims: Iterable[str] | None) -> tuple[str, ...]:
    """Lower-cased, de-duplicated dimension names; empty means every dimension.

    Raises :class:`DucklingInputError` naming the unknown ones.
    """
    if dims is None:
        return ()
    names: list[str] = []
    unknown: list[str] = []
    for dim in dims:
        if not isinstance(dim, str):
            raise DucklingInputError(f"dims must be strings, got {dim!r}")
        name = dim.strip().lower()
        if name not in DIMENSIONS:
            unknown.append(dim)
        elif name not in names:
            names.append(name)
    if unknown:
        raise DucklingInputError(
            f"unknown dims {unknown!r}; known dims are {', '.join(DIMENSIONS)}"
        )
    return tuple(names)


def check_reftime(reftime_ms: int | float | None) -> int | None:
    """Whole milliseconds since the epoch, or None for "now"."""
    if reftime_ms is None:
        return None
    if isinstance(reftime_ms, bool) or not isinstance(reftime_ms, int | float):
        raise DucklingInputError(f"reftime must be milliseconds since the epoch: {reftime_ms!r}")
    if isinstance(reftime_ms, float) and not math.isfinite(reftime_ms):
        raise DucklingInputError(f"reftime must be a finite number, got {reftime_ms!r}")
    millis = math.floor(reftime_ms)
    if not _MIN_REFTIME_MS <= millis <= _MAX_REFTIME_MS:
        raise DucklingInputError(f"reftime {reftime_ms!r} is outside the years 1 to 9999")
    return millis


class DucklingParser:
    """Duckling, started once per process, with inputs checked before each parse.

    Thread-safe; :meth:`parse` blocks (about a millisecond), so async code calls
    it in a thread.
    """

    def __init__(
        self,
        default_timezone: str = "America/New_York",
        zoneinfo_dir: str | Path = DEFAULT_ZONEINFO_DIR,
    ) -> None:
        ensure_utf8_locale()
        import duckling  # starts the Haskell runtime: after the locale

        self._duckling = duckling
        self._zoneinfo_dir = Path(zoneinfo_dir)
        if not self._zoneinfo_dir.is_dir():
            raise DucklingInputError(
                f"time zone database {self._zoneinfo_dir} is missing (install tzdata)"
            )
        self._zones = _installed_zones(self._zoneinfo_dir)
        self._tz_db = duckling.load_time_zones(str(self._zoneinfo_dir))
        self._lock = threading.Lock()
        self._locales: dict[str, Any] = {}
        self.default_timezone = self.check_timezone(default_timezone)

    def check_timezone(self, tz: str) -> str:
        """Return ``tz`` when the time zone database has it, else raise."""
        if tz not in self._zones:
            raise DucklingInputError(
                f"unknown time zone {tz!r}; use an IANA name such as 'America/New_York'"
            )
        return tz

    def _locale(self, locale: str) -> Any:
        """Duckling's locale object for ``en_US`` / ``en`` / ``EN-gb``.

        An unknown language is an error. A region Duckling has no rules for
        (``de_DE``) falls back to the language's default rules, as Duckling's
        own server does, so Rasa configurations written for it keep working.
        """
        cached = self._locales.get(locale)
        if cached is not None:
            return cached
        match = _LOCALE_RE.fullmatch(locale.strip())
        if match is None:
            raise DucklingInputError(
                f"bad locale {locale!r}; expected a language and optional region like 'en_US'"
            )
        code = match["lang"].upper()
        lang = self._duckling.parse_lang(code)
        if lang.name != code:
            raise DucklingInputError(f"locale {locale!r}: Duckling has no language {code!r}")
        default = self._duckling.default_locale_lang(lang)
        region = match["region"]
        value = (
            self._duckling.parse_locale(f"{code}_{region.upper()}", default) if region else default
        )
        self._locales[locale] = value
        return value

    def parse(
        self,
        text: str,
        locale: str = DEFAULT_LOCALE,
        tz: str | None = None,
        dims: Sequence[str] | None = None,
        reftime_ms: int | float | None = None,
        latent: bool = False,
    ) -> list[Entity]:
        """Duckling's entities in ``text``, each ``{body, start, end, dim, latent, value}``.

        ``tz`` defaults to :attr:`default_timezone`, ``dims`` (None or empty) to
        every dimension, ``reftime_ms`` (milliseconds since the epoch) to now.
        ``start``/``end`` are indexes into ``text`` as a Python string.
        """
        if not isinstance(text, str):
            raise DucklingInputError("text must be a string")
        zone = self.check_timezone(tz) if tz else self.default_timezone
        dimensions = normalise_dimensions(dims)
        millis = check_reftime(reftime_ms)
        duckling = self._duckling
        with self._lock:
            context_locale = self._locale(locale)
            if millis is None:
                ref = duckling.get_current_ref_time(self._tz_db, zone)
            else:
                ref = duckling.parse_ref_time(self._tz_db, zone, millis // 1000)
            context = duckling.Context(ref, context_locale)
            raw = duckling.parse_text(
                _safe_text(text), context, duckling.parse_dimensions(list(dimensions)), bool(latent)
            )
        return json.loads(_repair_utf8(raw))
