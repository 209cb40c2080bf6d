"""Every key this app keeps in `st.session_state` (one browser tab's state), once: the module
that owns it (writes it; others only read it or take it once) and what it holds. The few
with a second writer name it, and why.

The settings are settings.py's rows (each under its name, its widget under "_" + name:
sidebar.bound) and are not repeated here. A key built at run time is written as its pattern,
"{player}play". tests/test_session_keys.py reads the code: a key used and not declared here,
written outside its owner, or declared and never used, fails it.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Key:
    name: str
    owner: str        # module under ffnn.app ("state"), or a page ("pages.14_Class_board")
    holds: str
    also: tuple = ()  # (module, why): another that writes it, and why it may


_BOARD = "pages.14_Class_board"
KEYS = {k.name: k for k in (
    # the run and how it is driven
    Key("run", "state", "the tab's Run: its settings, data, network and trainer",
        also=(("lecture", "back to the run kept before the run-through"),
              ("board", "a run opened from the board"))),
    Key("undo_reset", "state", "the Run Reset replaced, for one Undo"),
    Key("url_read", "state", "set once this session has read its address"),
    Key("resumable", "state", "a session's first run: its first Play may resume a run"),
    Key("present", "state", "presentation mode (?present=1)",
        also=(("sidebar", "its toggle"),)),
    Key("speed", "state", "iterations per second while playing",
        also=(("controls", "its selectbox in the control row"),)),
    Key("uploaded", "replay", "the points of a CSV this tab uploaded (ffnn.io.Points)",
        also=(("pages.13_Share_and_export", "the upload"),)),
    Key("lesson", "state", "the id of the lesson loaded"),
    Key("board_code", "board", "the class board's code this session is on",
        also=(("state", "from the address"),)),
    Key("board_key_in_url", "state", "a lecturer's key from an old address, taken once"),
    Key("stage_from_url", "state", "the run-through stage the address asks for, taken once"),
    Key("playback", "playback", "the Playback: playing or paused, since when"),
    Key("{player}_holds", "controls", "the rev the stage last asked for (stale batches dropped)"),
    Key("{player}play", "controls", "the Play/Pause component's state: its play and pause asks"),
    Key("{player}feed", "controls", "the live stage's component state: its asks (need, ended)"),
    Key("_live", "controls", "(player, browser_draws) while the live area draws"),
    Key("_rerun_app", "controls", "a live-area callback whose effect the whole page shows",
        also=(("status", "Use the suggested η"),)),
    Key("session_token", "controls", "this session's random token (the stage's asks carry it)"),
    Key("replay_to", "replay", "(t, changes) an address asks this run to be replayed to"),
    Key("_url_at", "replay", "when the address was last written (written at most so often)"),
    Key("queued_messages", "messages", "[(kind, text, place, topic)] not shown yet"),
    Key("notes", "sidebar", "the settings' notes (a value made to fit), shown under them"),
    Key("lr_text", "sidebar", "η typed as text, read once"),
    Key("why_key", "status", "the (run, η) the stall's explanation was computed for"),
    Key("why", "status", "that explanation"),
    Key("_throttled", "views", "{chart: (when, figure)} drawn at most so often while playing"),
    Key("_carried_lists", "carry", "{changes text: id} this session stored"),
    # the run-through and lessons
    Key("stage", "lecture", "the run-through's stage"),
    Key("kept_run", "lecture", "(settings, Run) built by hand before the run-through"),
    Key("go_to", "lecture", "the page a run-through stage opens, taken once"),
    # the views' own options
    Key("discretize", "dashboard", "the boundary in classes, not probabilities"),
    Key("show_test", "dashboard", "the test points on the boundary"),
    Key("log_loss", "screens.curves", "the loss curves on a log scale"),
    Key("rw_step", "screens.rewind", "the step Rewind shows"),
    Key("_rw_step", "screens.rewind", "its slider"),
    Key("bp_index", "screens.backprop", "the training point backpropagated step by step"),
    Key("nr_layer", "screens.neurons", "the hidden layer shown unit by unit"),
    Key("ls_span", "screens.landscape", "the loss landscape's span ±"),
    Key("ls_res", "screens.landscape", "its grid points per side"),
    Key("ls_seed", "screens.landscape", "the seed of its two random directions"),
    Key("ls_log", "screens.landscape", "its log colour scale"),
    Key("ls_3d", "screens.landscape", "drawn in 3-D"),
    Key("ls_result", "screens.landscape", "the landscape last computed, and for what"),
    Key("ls_force", "screens.landscape", "compute it now (a button), taken once"),
    Key("te_layer", "pages.4_Theta_and_gradient", "the layer l whose W_l or b_l is shown"),
    Key("te_kind", "pages.4_Theta_and_gradient", "W or b"),
    Key("te_i", "pages.4_Theta_and_gradient", "the row i of the entry followed"),
    Key("te_j", "pages.4_Theta_and_gradient", "its column j"),
    Key("te_table", "pages.4_Theta_and_gradient", "θ and ∇θ as a table"),
    Key("cmp_setting", "pages.8_Compare_losses", "the setting the two runs differ in"),
    Key("cmp_{side}_{setting}", "pages.8_Compare_losses", "side a's or b's value of it"),
    Key("cmp_scale", "pages.8_Compare_losses", "the θ₀ scale both runs start from"),
    Key("cmp_log", "pages.8_Compare_losses", "the curves on a log scale"),
    Key("cmp_pair", "pages.8_Compare_losses", "the two runs being compared"),
    Key("cmp_key", "pages.8_Compare_losses", "the settings the pair was built for"),
    Key("es_w0", "pages.9_Error_surface", "the one neuron's w₀"),
    Key("es_b0", "pages.9_Error_surface", "its b₀"),
    Key("es_eta", "pages.9_Error_surface", "its learning rate"),
    Key("es_loss", "pages.9_Error_surface", "its loss"),
    Key("es_opts", "pages.9_Error_surface", "the update rules drawn"),
    Key("es_log", "pages.9_Error_surface", "the surface on a log scale"),
    Key("es_show_3d", "pages.9_Error_surface", "drawn in 3-D"),
    Key("es_reveal", "pages.9_Error_surface", "the Reveal: the iteration t the paths are drawn to"),
    Key("share_file", "pages.13_Share_and_export", "the CSV chosen to upload (its widget)"),
    # the class board (ffnn.app.board: this session on a board; the page: what it shows)
    Key("board_key", "board", "the lecturer's key this session holds"),
    Key("board_sender", "board", "this browser's sender token"),
    Key("board_join", "board", "the class code typed (its widget)"),
    Key("board_name", "board", "the name a student sends under (its widget)"),
    Key("board_key_input", "board", "the key a lecturer types (its widget)"),
    Key("board_key_checked", "board", "(code, key hash) the store last accepted"),
    Key("board_confirmed", "board", "the code this session found on the server"),
    Key("board_unconfirmed", "board", "the run whose last send got no answer"),
    Key("board_guesses", "board", "[tokens, at]: this session's code guesses"),
    Key("board_csv_made", "board", "the CSV the lecturer made, for this board"),
    Key("board_down_since", "board", "since when the database cannot be read"),
    Key("board_back_at", "board", "when it could be read again"),
    Key("board_color_by", _BOARD, "what colours the board's dots (its widget)"),
    Key("board_selected", _BOARD, "the run picked on the board (its widget)"),
    Key("board_show_here", _BOARD, "the class's runs shown on a student's page"),
    Key("board_runs_read", _BOARD, "{code, runs} read so far"),
    Key("board_last_read", _BOARD, "the board as last read, shown while it cannot be"),
    Key("board_shown", _BOARD, "this run's messages, each said once"),
)}
