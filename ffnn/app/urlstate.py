"""The configuration in the URL: encode settings as query parameters, and decode (validate) a
URL's parameters back into settings. Plain Python: the app glue calls it with st.query_params.

A value from a URL is untrusted input. Each one is parsed by type and checked against the same
choices and ranges the sidebar offers; anything else is dropped with a warning that quotes it
as plain text (shortened), never rendered or evaluated.
"""

from collections.abc import Mapping

from . import settings as S
from .board_codes import parse_code, parse_key
from .carry_store import ID_CHARS, is_id
from .lessons import LECTURE

MAX_VALUE_CHARS = 200
MAX_T = 100_000   # a URL's t is replayed up to this many updates at most (a notice says so)
MAX_ITERATIONS = S.MAX_ITERATIONS
DIVERGED = "diverged"             # a `changes` item: training diverged at this t
MAX_CHANGES = 40                  # more mid-run changes than this go to the store (changelog)
MAX_CHANGES_CHARS = 1000
MAX_STORED_CHANGES = 100_000      # a stored change list (see ffnn.app.carry) holds at most this


def _int(lo, hi):
    return S.Ints(lo, hi).parse


def _flag(text):
    if text not in ("0", "1"):
        raise ValueError("must be 0 or 1")
    return text == "1"


def _id(text):
    if not is_id(text):
        raise ValueError(f"must be {ID_CHARS} hexadecimal digits")
    return text


def _changes(text, limit=MAX_CHANGES):
    """`<t>.<key>.<value>` items joined by `~` (see encode_changes) -> [(t, key, value)]; at
    most `limit` items (a stored list may hold MAX_STORED_CHANGES)."""
    items = text.split("~") if text else []
    if len(items) > limit:
        raise ValueError(f"must list at most {limit} changes")
    out, last = [], 0
    for item in items:
        at, _, rest = item.partition(".")
        key, dot, value = rest.partition(".")
        if key == DIVERGED and not dot:
            parsed = None
        elif key in S.mid_run() and dot:
            parsed = PARSERS[key](value)
        else:
            raise ValueError(f"must be t.setting.value items ({', '.join(S.mid_run())}) "
                             "or t.diverged, joined by ~")
        at = _int(0, MAX_ITERATIONS)(at)
        if at < last:
            raise ValueError("must list the changes in the order of t")
        out.append((at, key, parsed))
        last = at
    return out


# The address's own parameters, beside the settings' (each parsed by its row's domain, S.table())
APP_PARSERS = {
    "t": _int(0, MAX_ITERATIONS),  # replay this many updates after loading (up to MAX_T)
    "present": _flag,              # presentation mode
    "changes": _changes,           # settings changed mid-run, replayed at the same t
    "changelog": _id,              # or the id of their list in the store (too many for a URL)
    "upload": _id,                 # the id of an uploaded CSV in the store (ffnn.app.carry)
    "play": _flag,                 # the run was playing when the address was written
    # The class board (ffnn.app.board): the code of the board joined, and the lecturer key,
    # which is read once and never written back to the address bar, nor quoted in a warning.
    "class": parse_code,
    "key": parse_key,
    "stage": _int(1, len(LECTURE)),   # a stage of the lecture's run-through
}
APP_KEYS = tuple(APP_PARSERS)     # not sidebar settings
SECRET = ("key",)


class _Parsers(Mapping):
    """{name: parse(text) -> value} of every parameter an address may hold, read at each use."""

    def _all(self):
        return {**{k: v.domain.parse for k, v in S.table().items() if v.domain is not None},
                **APP_PARSERS}

    def __getitem__(self, key):
        return self._all()[key]

    def __iter__(self):
        return iter(self._all())

    def __len__(self):
        return len(self._all())


PARSERS = _Parsers()
LONG_VALUES = {"changes": MAX_CHANGES_CHARS}


def text_of(value):
    """A setting's value as URL text; a float in the fewest digits that read back as the same
    float (so that a typed learning rate such as 0.123456789 replays bit for bit)."""
    if isinstance(value, list):
        return ",".join(value)
    if isinstance(value, float):
        short = f"{value:g}"
        return short if float(short) == value else repr(value)
    return str(value)


def encode_changes(changes):
    """[(t, key, value)] -> the `changes` parameter's text, e.g. `10.lr.0.1~25.optimizer.gd`.

    Each item says: at update t, `key` stopped being `value` (its value from t = 0, or from the
    previous item of the same key); the next item of the same key, or else the URL's current
    setting, is what it became. `t.diverged` marks an update that made training diverge (it is
    tried again when replaying, so that what it changed is changed again)."""
    parts = []
    for at, key, value in changes:
        parts.append(f"{at}.{key}" if key == DIVERGED else f"{at}.{key}.{text_of(value)}")
    return "~".join(parts)


def encode(cfg, t=0, present=False, changes=(), changelog=None):
    """Settings that differ from the defaults (plus t, the mid-run changes or their list's id
    in the store, and present) as {name: text}. Uploaded points travel as their id in the store
    (`upload`), which says the dataset too."""
    out = {}
    for key, default in S.DEFAULTS.items():
        value = cfg[key]
        if key in ("upload", "upload_task") or (key == "dataset" and value == S.UPLOADED):
            continue
        if value != default:
            out[key] = text_of(value)
    if cfg["dataset"] == S.UPLOADED and is_id(cfg["upload"]):
        out["upload"] = cfg["upload"]
    if t:
        out["t"] = str(t)
    if changelog:
        out["changelog"] = changelog
    elif changes:
        out["changes"] = encode_changes(changes)
    if present:
        out["present"] = "1"
    return out


def too_long(text):
    """Whether a `changes` text is more than a URL carries (it then goes to the store)."""
    return len(text) > MAX_CHANGES_CHARS or text.count("~") + 1 > MAX_CHANGES


def changes_upto(text, t):
    """A stored change list's text -> [(t, key, value)], checked as a URL's and against the
    URL's t (ValueError if it does not fit)."""
    changes = _changes(text, limit=MAX_STORED_CHANGES)
    late = [at for at, _, _ in changes if at > t]
    if late:
        raise ValueError(f"it changes a setting at t = {late[0]}, after the address's t = {t}")
    return changes


def quote(text):
    """A value from the URL, safe to show inside a message: shortened, as inline code."""
    text = str(text)
    short = text[:40] + ("…" if len(text) > 40 else "")
    return "`" + short.replace("`", "'").replace("\n", " ") + "`"


def decode(params):
    """{name: text or [texts]} from a URL -> (valid settings {name: value}, warnings [text])."""
    values, warnings = {}, []
    for key, raw in params.items():
        text = raw[-1] if isinstance(raw, list) and raw else raw
        if key not in PARSERS:
            warnings.append(f"Ignored the unknown URL parameter {quote(key)}.")
            continue
        if not isinstance(text, str) or len(text) > LONG_VALUES.get(key, MAX_VALUE_CHARS):
            warnings.append(f"Ignored the URL parameter {quote(key)}: its value is too long.")
            continue
        try:
            values[key] = PARSERS[key](text.strip())
        except (ValueError, OverflowError) as err:
            if key in SECRET:
                warnings.append(f"Ignored the URL parameter {quote(key)}: it is not a valid "
                                "lecturer key (its value is not shown).")
                continue
            reason = str(err) if "must" in str(err) else "is not a number of the right kind"
            warnings.append(f"Ignored {quote(key)} = {quote(text)} from the URL: it {reason}.")
    late = [at for at, _, _ in values.get("changes", ()) if at > values.get("t", 0)]
    if late:
        del values["changes"]
        warnings.append(f"Ignored {quote('changes')} from the URL: it changes a setting at "
                        f"t = {late[0]}, after the URL's t = {values.get('t', 0)}.")
    return values, warnings
