"""Share and export: a link that rebuilds this run, the run's files to download, and points of
your own from a CSV file.

"Use these points" works in a button callback, before the script draws anything: the settings it
sets ("dataset", "upload", ...) are plain session keys (the sidebar's widgets use shadow keys),
and a file that cannot be used changes nothing but the message shown.
"""

import logging
import urllib.parse

import numpy as np
import streamlit as st

from ffnn import io as fio
from ffnn.app import carry, messages, page, replay, state, urlstate
from ffnn.app import settings as S
from ffnn.app.carry_store import item_id
from ffnn.app.guard import guarded
from ffnn.app.views import EXTENT

FILE_KEY = "share_file"          # the file uploader's widget key
PAGE_PATH = "Share_and_export"   # this page's URL path; a shared link opens the home page
log = logging.getLogger("ffnn.app")
BUG = "The file could not be read (an unexpected error, written to the server log)."
UNCHANGED = "These points were not used: the data, the settings and the trained θ are as they were."

UPLOAD_HELP = (
    f"A CSV file of at most {fio.MAX_BYTES / 1e6:.0f} MB and {fio.MAX_ROWS:,} rows, one row per "
    "point: x1, x2 and a label or target, separated by commas, semicolons or tabs. A header "
    "row is optional; with one, the columns named x1, x2 and label (or target) are used and any "
    f"others ignored. Whole-number labels with 2 to {fio.MAX_CLASSES} distinct values (0/1, "
    "-1/+1, 0/1/2 …) make a classification; other numbers, or a column named target, a "
    f"regression. The plots show the square -{EXTENT:g} … {EXTENT:g}.")


# ---- share ------------------------------------------------------------------------------------

def share_params(run, present):
    """The query parameters of a link that rebuilds this run -> (params, notes for the person).

    The address bar's own parameters (replay.url_params): the settings, t, and the settings
    changed mid-run, replayed at the same t, so the link gives this θ bit for bit; t is left out
    where that cannot be (the notes say why)."""
    t, notes = run.trainer.t, []
    params = replay.url_params(run, present=present)
    if run.cfg["dataset"] == S.UPLOADED:
        notes.append("This run trains on uploaded points: the link names them by their id in "
                     "this server's store, so it rebuilds the run on any server that shares "
                     "the store, for a day after the points were last used.")
    if t and "t" not in params:
        notes.append("The settings changed during this run cannot all travel in a link: it "
                     "rebuilds the data and θ₀ with the current settings, not this run's "
                     f"{t:,} updates. Press Reset and train again to share a run exactly.")
    elif t > urlstate.MAX_T:
        notes.append(f"A link replays at most {urlstate.MAX_T:,} updates: whoever opens it sees "
                     f"θ at t = {urlstate.MAX_T:,}, not the {t:,} of this run.")
    events = run.trainer.setting_changes
    if events and ("changes" in params or "changelog" in params):
        shown = "; ".join(f"{e.text} at t = {e.t}" for e in events[:3])
        more = f" and {len(events) - 3} more" if len(events) > 3 else ""
        notes.append(f"Settings changed during this run ({shown}{more}): the link replays each "
                     "change at the same t, so its θ is this one.")
    return params, notes


def link(params):
    """The full address of the app's home page with `params` (a relative one if the browser's
    address is unknown, as in tests)."""
    base = (st.context.url or "").removesuffix("/" + PAGE_PATH).rstrip("/")
    query = urllib.parse.urlencode(params)
    return f"{base}/?{query}" if query else f"{base}/"


def share(run):
    st.markdown("##### Share this run")
    params, notes = share_params(run, st.session_state["present"])
    st.code(link(params), language=None, wrap_lines=True)
    t = params.get("t")
    then = f", then replays the updates to t = {t}" if t else ""
    st.caption(
        "Copy the link (the icon at its right). Opening it in another browser rebuilds the same "
        f"data and the same θ₀ from the seeds it holds{then}, with each setting changed "
        "mid-run changed again at the same t: the same θ, bit for bit.")
    for note in notes:
        (st.info if "bit for bit" in note or "its θ is this one" in note else st.warning)(note)


# ---- export -----------------------------------------------------------------------------------

EXPORT_HELP = {
    "history": ("One row per recorded update: loss, accuracy, the norms of ∇Wₗ and ∇bₗ "
                "(older rows thinned on long runs). pandas.read_csv reads it."),
    "theta_npz": ("W1 … WL and b1 … bL as NumPy arrays, numbered as in the lecture: "
                  "np.load(path)['W1']. $W_l \\in \\mathbb{R}^{n_{l-1} \\times n_l}$."),
    "theta_json": "The same θ as plain lists: sizes, activation, output, loss, W, b.",
    "dataset": ("x1, x2, the label or target, and the split (train or test). It can be "
                "uploaded again below."),
    "config": "Every setting of this run, and t.",
}


def exports(run):
    """Download buttons; each file is written when its button is clicked, from copies taken now
    (so the file matches the t in its name)."""
    st.markdown("##### Export")
    t, data, cfg = run.trainer.t, run.data, dict(run.cfg)
    net, history = run.net.copy(), run.trainer.history
    files = [
        ("history", "Training history (CSV)", lambda: fio.history_csv(history),
         f"ffnn-history-t{t}.csv", "text/csv"),
        ("theta_npz", "θ (NPZ)", lambda: fio.theta_npz(net), f"ffnn-theta-t{t}.npz",
         "application/octet-stream"),
        ("theta_json", "θ (JSON)", lambda: fio.theta_json(net), f"ffnn-theta-t{t}.json",
         "application/json"),
        ("dataset", "Dataset (CSV)", lambda: fio.dataset_csv(data),
         f"ffnn-data-{data.name}.csv", "text/csv"),
        ("config", "Configuration (JSON)", lambda: fio.config_json(cfg, t),
         f"ffnn-config-t{t}.json", "application/json"),
    ]
    for col, (key, label, make, name, mime) in zip(st.columns(len(files)), files):
        # the bytes, not `make`: a file made at the click is left to the next clean-up of any
        # session's run, and with students playing on the server the browser's request could
        # come after it (a 404, measured; see docs/design.md, "Downloads under load")
        col.download_button(label, make(), file_name=name, mime=mime, key=f"export_{key}",
                            help=f"**{name}**  \n{EXPORT_HELP[key]}", on_click="ignore")
    st.caption(f"Files of this run at t = {t}.")


# ---- import -----------------------------------------------------------------------------------

def apply_upload(raw):
    """Train this tab on the points in `raw` (CSV bytes) from now on -> [(kind, message)].

    Raises ValueError, with nothing in session state changed, if the file or a run built on it
    cannot be used. Otherwise sets the uploaded points and the data settings; the next
    sync_run sees new data (the fingerprint "upload" is a data key) and starts from θ₀."""
    ss = st.session_state
    points = fio.read_points_csv(raw)
    new = {"dataset": S.UPLOADED, "upload": item_id("points", raw), "upload_task": points.task}
    cfg, _ = S.reconcile({**state.current_cfg(), **new})
    state.build_run(cfg, points)        # what sync_run will build: refused here, not there
    stuck = carry.keep_points(raw)      # for another replica, or a reload
    ss["uploaded"] = points
    for key, value in new.items():
        ss[key] = value
    return describe(points) + ([("warning", stuck)] if stuck else [])


def describe(points):
    n = len(points.y)
    what = (f"a classification with {points.n_classes} classes"
            if points.task == "classification" else "a regression")
    used = (f"Using the {n:,} uploaded points: {what}. The sidebar's dataset now reads "
            "Uploaded CSV; the training data %, data seed and input features apply to it.")
    out = [("success", used)]
    outside = int((np.abs(points.points) > EXTENT).any(axis=1).sum())
    if outside:
        verb = "lies" if outside == 1 else "lie"
        note = (f"{outside:,} of the {n:,} points {verb} outside the square -{EXTENT:g} … "
                f"{EXTENT:g} the plots show: scale x1 and x2 to see them all.")
        out.append(("info", note))
    return out


def _use_points():
    """Button callback: use the chosen file, or say why not (and change nothing else)."""
    ss = st.session_state
    file = ss.get(FILE_KEY)
    if file is None:
        messages.say("error", "Choose a CSV file first.", place="upload")
        return
    try:
        said = apply_upload(file.getvalue())
    except ValueError as err:
        messages.say("error", f"{err}  \n{UNCHANGED}", place="upload")
    except Exception:               # a bug, not the file: the traceback goes to the server log
        log.exception("reading an uploaded CSV")
        messages.say("error", f"{BUG}  \n{UNCHANGED}", place="upload")
    else:
        for kind, text in said:
            messages.say(kind, text, place="upload")


def import_points():
    st.markdown("##### Import points")
    ss = st.session_state
    st.file_uploader("A CSV file of points: x1, x2 and a label or target",
                     type=["csv", "tsv", "txt"], key=FILE_KEY, help=UPLOAD_HELP)
    st.button("Use these points", on_click=_use_points, type="primary",
              disabled=ss.get(FILE_KEY) is None, key="share_use_points")
    messages.show("upload")
    if ss["dataset"] == S.UPLOADED and "uploaded" in ss:
        st.caption(f"This tab trains on an uploaded CSV of {len(ss['uploaded'].y):,} points "
                   f"(fingerprint {ss['upload']}). Choose another dataset in the sidebar to "
                   "leave it; it stays available there until the tab is closed.")


run = page.frame(
    "Share and export",
    "A link that rebuilds this run in any browser, the run's numbers as files (history, θ, "
    "data, settings), and points of your own to train on.")
if run is not None:
    guarded(share, run)
    guarded(exports, run)
guarded(import_points)
