"""ffnn.io: points from CSV files (good ones parse to the right arrays, hostile ones end in a
readable ValueError, quickly), the split into a Dataset, and the exports' round trips."""

import io
import json
import zipfile

import numpy as np
import pandas as pd
import pytest

from ffnn import Network, Trainer
from ffnn.datasets import feature_matrix, make_dataset
from ffnn.io import (
    MAX_BYTES,
    Points,
    config_json,
    dataset_csv,
    dataset_from_points,
    history_csv,
    load_theta_npz,
    read_points_csv,
    theta_json,
    theta_npz,
)

XY = [[1.5, -2.0], [0.0, 3.25], [-4.0, 0.5], [2.0, 2.0], [-1.0, -1.0]]


def csv_bytes(rows, header=None, sep=","):
    lines = ([sep.join(header)] if header else []) + [sep.join(map(str, r)) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def rows_with(labels):
    return [[*p, lab] for p, lab in zip(XY, labels)]


def problem(raw, **kwargs):
    """The message of the ValueError that reading `raw` raises."""
    with pytest.raises(ValueError) as err:
        read_points_csv(raw, **kwargs)
    return str(err.value)


# ---- good files -------------------------------------------------------------------------------

@pytest.mark.parametrize("sep", [",", ";", "\t"])
@pytest.mark.parametrize("header", [None, ["x1", "x2", "label"]])
def test_delimiters_with_and_without_header(sep, header):
    p = read_points_csv(csv_bytes(rows_with([0, 1, 1, 0, 1]), header, sep))
    np.testing.assert_array_equal(p.points, XY)
    np.testing.assert_array_equal(p.y, [0, 1, 1, 0, 1])
    assert p.points.dtype == np.float64 and p.points.shape == (5, 2)
    assert p.y.dtype == np.int64
    assert (p.task, p.n_classes, p.name) == ("classification", 2, "uploaded")


def test_minus_one_plus_one_labels_become_0_and_1():
    p = read_points_csv(csv_bytes(rows_with([-1, 1, 1, -1, 1])))
    np.testing.assert_array_equal(p.y, [0, 1, 1, 0, 1])
    assert p.n_classes == 2


def test_labels_written_as_floats_and_sparse_values_map_to_sorted_indices():
    p = read_points_csv(csv_bytes(rows_with(["7.0", "3.0", "10.0", "3.0", "7.0"])))
    np.testing.assert_array_equal(p.y, [1, 0, 2, 0, 1])
    assert (p.task, p.n_classes) == ("classification", 3)


def test_regression_targets_are_kept_as_they_are():
    targets = [0.25, -1.5, 3.0, 0.0, 12.75]
    p = read_points_csv(csv_bytes(rows_with(targets), ["x1", "x2", "target"]))
    assert (p.task, p.n_classes) == ("regression", None)
    np.testing.assert_array_equal(p.y, targets)
    assert p.y.dtype == np.float64


def test_fractional_values_without_header_are_regression():
    p = read_points_csv(csv_bytes(rows_with([0.5, 1, 2, 3, 4])))
    assert p.task == "regression"


def test_a_target_column_of_whole_numbers_is_still_regression():
    p = read_points_csv(csv_bytes(rows_with(range(5)), ["x1", "x2", "target"]))
    assert p.task == "regression"
    np.testing.assert_array_equal(p.y, [0.0, 1.0, 2.0, 3.0, 4.0])


def test_columns_are_found_by_name_in_any_order_and_others_ignored():
    header = ["id", "Label", "note", "X2", "x1"]
    rows = [[i, lab, "abc", p[1], p[0]] for i, (p, lab) in enumerate(zip(XY, [1, 0, 0, 1, 1]))]
    p = read_points_csv(csv_bytes(rows, header))
    np.testing.assert_array_equal(p.points, XY)
    np.testing.assert_array_equal(p.y, [1, 0, 0, 1, 1])


def test_three_unnamed_columns_are_taken_in_order():
    p = read_points_csv(csv_bytes(rows_with([0, 1, 1, 0, 1]), ["x", "y", "colour"]))
    np.testing.assert_array_equal(p.points, XY)


def test_blank_lines_quotes_spaces_bom_crlf_and_a_savetxt_header():
    text = '\ufeff# x1, x2, label\r\n\r\n "1.5" , -2, 0\r\n0,3.25,1\r\n\r\n-4,0.5,1\r\n2,2,0\r\n'
    p = read_points_csv(text.encode())
    np.testing.assert_array_equal(p.points, XY[:4])
    np.testing.assert_array_equal(p.y, [0, 1, 1, 0])


def test_quoted_fields_are_read_by_the_csv_rules():
    text = ('"x1";"x2";"label";"note; free"\n"1.5";"-2";"0";"a; b"\n0;3.25;1;""\n'
            '-4;0.5;"1";x\n2;2;0;y\n')
    p = read_points_csv(text.encode())
    np.testing.assert_array_equal(p.points, XY[:4])
    np.testing.assert_array_equal(p.y, [0, 1, 1, 0])


def test_a_quoted_decimal_comma_is_one_field_and_named_by_row():
    message = problem(b'x1,x2,label\n1,2,0\n"1,5",2,1\n3,4,0\n5,6,1\n')
    assert message.startswith("Row 3, column 1 (`x1`) holds `1,5`")
    assert "decimals" in message


def test_a_byte_order_mark_does_not_hide_the_first_name():
    # Four columns in another order: the header's names must match, "\ufeffx2" would not.
    rows = [[y, lab, x, 9] for (x, y), lab in zip(XY, [0, 1, 1, 0, 1])]
    p = read_points_csv(b"\xef\xbb\xbf" + csv_bytes(rows, ["x2", "label", "x1", "extra"]))
    np.testing.assert_array_equal(p.points, XY)


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolons_and_tabs_with_the_separator_inside_quoted_fields(sep):
    rows = [[*p, lab, f'"a{sep} b, c"'] for p, lab in zip(XY, [0, 1, 1, 0, 1])]
    p = read_points_csv(csv_bytes(rows, ["x1", "x2", "label", "comment"], sep))
    np.testing.assert_array_equal(p.points, XY)
    np.testing.assert_array_equal(p.y, [0, 1, 1, 0, 1])


def test_crlf_lines_and_rows_named_by_their_line_in_the_file():
    text = b"x1,x2,label\r\n1,2,0\r\n\r\n3,abc,1\r\n5,6,0\r\n7,8,1\r\n"
    assert problem(text).startswith("Row 4, column 2 (`x2`) holds `abc`")
    # A quoted field over two lines: the rows after it keep their line numbers.
    text = b'x1,x2,label,note\n1,2,0,"two\nlines"\n3,4,1,x\n5,oops,0,y\n7,8,1,z\n'
    assert problem(text).startswith("Row 5, column 2 (`x2`) holds `oops`")


def test_name_and_caps_are_parameters():
    p = read_points_csv(csv_bytes(rows_with([0, 1, 2, 3, 4])), max_classes=5, name="mine")
    assert (p.n_classes, p.name) == (5, "mine")


# ---- hostile files: each gets a ValueError naming the problem ----------------------------------

def test_empty_files():
    assert "empty" in problem(b"")
    assert "empty" in problem(b"  \n\r\n\t\n")


def test_binary_junk():
    junk = np.random.default_rng(0).integers(0, 256, 4000, dtype=np.uint8).tobytes()
    assert b"\x00" in junk
    assert "binary" in problem(junk)


def test_text_that_is_not_utf8():
    assert "UTF-8" in problem("x1,x2,label\n1,2,é\n".encode("latin-1"))


def test_wrong_delimiter():
    message = problem(b"1|2|3\n4|5|6\n7|8|9\n1|1|1\n")
    assert "separator" in message and "`1|2|3`" in message


def test_missing_columns():
    message = problem(csv_bytes([p for p in XY]))
    assert message.startswith("The file has 2 columns;") and "x1, x2 and a label" in message


def test_extra_unnamed_columns_are_explained():
    rows = [[*p, 0, 9] for p in XY]
    message = problem(csv_bytes(rows))
    assert "4 columns and no header row" in message and "header row" in message
    message = problem(csv_bytes(rows, ["a", "b", "c", "d"]))
    assert "4 columns" in message and "`a, b, c, d`" in message


def test_ragged_rows():
    text = b"x1,x2,label\n1,2,0\n3,4,1\n5,6\n7,8,0\n"
    assert problem(text).startswith("Row 4 has 2 columns but row 1 has 3")


@pytest.mark.parametrize("cell, row, col, words", [
    ("abc", 3, 2, "`abc`, which is not a number"),
    ("", 3, 2, "is empty"),
    ("1,5", 3, 2, "decimals"),
    ("red", 4, 3, "not names"),
])
def test_text_in_numeric_columns_names_row_and_column(cell, row, col, words):
    rows = rows_with([0, 1, 1, 0, 1])
    rows[row - 2][col - 1] = cell               # row 1 is the header
    sep = ";" if "," in cell else ","
    message = problem(csv_bytes(rows, ["x1", "x2", "label"], sep))
    assert message.startswith(f"Row {row}, column {col} (`{['x1', 'x2', 'label'][col - 1]}`)")
    assert words in message


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "Infinity"])
def test_nan_and_inf(value):
    rows = rows_with([0, 1, 1, 0, 1])
    rows[2][0] = value
    message = problem(csv_bytes(rows, ["x1", "x2", "label"]))
    assert message.startswith("Row 4, column 1 (`x1`)") and "finite" in message


def test_nan_target():
    rows = rows_with([0.5, 1.5, "nan", 0, 1])
    assert "Row 3, column 3" in problem(csv_bytes(rows))


def test_huge_values():
    rows = rows_with([0, 1, 1, 0, 1])
    rows[1][1] = 3e9
    assert "between -1,000,000 and 1,000,000" in problem(csv_bytes(rows))


def test_one_class_only():
    message = problem(csv_bytes(rows_with([1, 1, 1, 1, 1])))
    assert "one class only" in message


def test_too_many_classes():
    rows = [[i, -i, i] for i in range(12)]
    message = problem(csv_bytes(rows, ["x1", "x2", "label"]))
    assert "12 distinct values" in message and "at most 8 classes" in message
    assert "target" in message                  # how to say it is a regression
    assert read_points_csv(csv_bytes(rows, ["x1", "x2", "target"])).task == "regression"


def test_fractional_class_labels():
    message = problem(csv_bytes(rows_with([0, 1, 0.5, 0, 1]), ["x1", "x2", "label"]))
    assert message.startswith("Row 4, column 3 (`label`)") and "whole numbers" in message


def test_constant_target():
    assert "constant" in problem(csv_bytes(rows_with([0.5] * 5), ["x1", "x2", "target"]))


def test_too_few_rows():
    assert "at least 4" in problem(csv_bytes(rows_with([0, 1, 1]), ["x1", "x2", "label"]))


def test_too_many_rows_by_argument():
    raw = csv_bytes(rows_with([0, 1, 1, 0, 1]), ["x1", "x2", "label"])
    assert "5 rows of points; at most 4" in problem(raw, max_rows=4)
    assert len(read_points_csv(raw, max_rows=5).y) == 5


def test_messages_quote_file_content_as_short_inline_code():
    cell = "<script>alert(1)</script>`**bold**`" + "x" * 200
    rows = rows_with([0, 1, 1, 0, 1])
    rows[0][0] = cell
    message = problem(csv_bytes(rows))
    assert message.count("`") == 4                  # the column name and the cell, nothing more
    assert len(message) < 200 and "…" in message
    assert "x" * 40 not in message


def test_over_the_size_cap_is_refused_before_parsing():
    raw = b"1,2,0\n" * 1_000_000                      # 6 MB of valid rows
    message = problem(raw)                            # refused from len(raw) (speed: bench/io.py)
    assert message.startswith("The file is 6.0 MB; the limit is 5.0 MB")
    assert "limit is 100 bytes" in problem(b"1,2,0\n" * 20, max_bytes=100)


def test_a_5_mb_file_is_refused_quickly_by_its_row_count():
    rng = np.random.default_rng(0)
    n = 230_000
    text = "".join(f"{a:.6f},{b:.6f},{c}\n" for a, b, c in
                   zip(rng.normal(size=n), rng.normal(size=n), rng.integers(0, 2, n)))
    raw = ("x1,x2,label\n" + text).encode()
    assert 4_000_000 < len(raw) <= MAX_BYTES
    message = problem(raw)                            # its speed: bench/io.py
    assert message == "The file has 230,000 rows of points; at most 50,000 are allowed."


def test_the_largest_allowed_file_is_read_whole():
    """50,000 points, read back exactly (its speed: bench/io.py)."""
    rng = np.random.default_rng(1)
    pts, labels = rng.normal(size=(50_000, 2)), rng.integers(0, 3, 50_000)
    raw = csv_bytes([[*map(float, p), int(c)] for p, c in zip(pts, labels)], ["x1", "x2", "class"])
    p = read_points_csv(raw)
    np.testing.assert_array_equal(p.points, pts)
    np.testing.assert_array_equal(p.y, labels)


def test_not_bytes():
    assert "bytes" in problem("x1,x2,label\n")


# ---- points -> Dataset --------------------------------------------------------------------------

def test_dataset_from_points_shuffles_splits_and_featurises():
    rng = np.random.default_rng(5)
    up = Points(rng.normal(size=(40, 2)), rng.integers(0, 3, 40), "classification", 3)
    d = dataset_from_points(up, 0.3, seed=7, features=("x1", "x2", "x1x2"))
    assert (d.name, d.task, d.n_classes, d.features) == ("uploaded", "classification", 3,
                                                         ("x1", "x2", "x1x2"))
    assert len(d.points_train) == 12 and len(d.points_test) == 28
    order = np.random.default_rng(7).permutation(40)
    np.testing.assert_array_equal(d.points_train, up.points[order[:12]])
    np.testing.assert_array_equal(d.y_test, up.y[order[12:]])
    np.testing.assert_array_equal(d.X_train, feature_matrix(d.points_train, d.features))
    same = dataset_from_points(up, 0.3, seed=7, features=("x1", "x2", "x1x2"))
    np.testing.assert_array_equal(same.X_test, d.X_test)


@pytest.mark.parametrize("ratio", [0.01, 0.99])
def test_both_parts_stay_non_empty(ratio):
    up = read_points_csv(csv_bytes(rows_with([0, 1, 1, 0, 1])))
    d = dataset_from_points(up, ratio, 0, ("x1", "x2"))
    assert len(d.y_train) >= 1 and len(d.y_test) >= 1 and len(d.y_train) + len(d.y_test) == 5


def test_dataset_from_points_checks_its_arguments():
    up = read_points_csv(csv_bytes(rows_with([0, 1, 1, 0, 1])))
    for bad in [{"train_ratio": 1.0}, {"seed": -1}, {"features": ("z",)}]:
        args = {"train_ratio": 0.5, "seed": 0, "features": ("x1", "x2"), **bad}
        with pytest.raises(ValueError):
            dataset_from_points(up, **args)


def test_an_uploaded_set_trains():
    rng = np.random.default_rng(2)
    pts = rng.normal(size=(200, 2)) * 3
    labels = np.where(pts[:, 0] * pts[:, 1] > 0, 1, -1)
    up = read_points_csv(csv_bytes([[*map(float, p), int(c)] for p, c in zip(pts, labels)]))
    d = dataset_from_points(up, 0.5, 0, ("x1", "x2", "x1x2"))
    net = Network([3, 4, 2], seed=0)
    tr = Trainer(net, d.X_train, d.y_train, lr=0.3, X_test=d.X_test, y_test=d.y_test)
    before = tr.evaluate()["train_loss"]
    tr.step(200)
    assert tr.evaluate()["train_loss"] < before / 2


# ---- exports ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def trained():
    d = make_dataset("spiral", 200, noise=0.1, seed=1, features=("x1", "x2", "sin_x1"))
    net = Network([3, 5, 4, 2], activation=["relu", "tanh"], output="softmax", seed=3)
    tr = Trainer(net, d.X_train, d.y_train, lr=0.1, X_test=d.X_test, y_test=d.y_test)
    tr.step(30)
    return d, net, tr


def test_theta_npz_round_trips_exactly(trained):
    _, net, _ = trained
    raw = theta_npz(net)
    other = Network(net.sizes, activation=net.activation, seed=99)
    assert not np.array_equal(other.theta, net.theta)
    load_theta_npz(raw, other)
    for a, b in zip(net.W + net.b, other.W + other.b):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(other.theta, net.theta)     # the flat theta follows the views


def test_theta_npz_holds_named_arrays_and_no_objects(trained):
    _, net, _ = trained
    with np.load(io.BytesIO(theta_npz(net)), allow_pickle=False) as npz:
        assert sorted(npz.files) == sorted(["W1", "W2", "W3", "b1", "b2", "b3", "sizes",
                                            "activation", "output", "loss"])
        assert npz["W1"].shape == (3, 5) and npz["b3"].shape == (2,)
        assert npz["sizes"].tolist() == [3, 5, 4, 2]
        assert npz["activation"].tolist() == ["relu", "tanh"]
        assert str(npz["output"]) == "softmax" and str(npz["loss"]) == "cross_entropy"
        assert all(npz[k].dtype != object for k in npz.files)


def test_theta_npz_without_hidden_layers():
    net = Network([2, 3], output="softmax", seed=1)
    other = Network([2, 3], output="softmax", seed=2)
    load_theta_npz(theta_npz(net), other)
    np.testing.assert_array_equal(other.theta, net.theta)


def npz(**arrays):
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def theta_parts(net):
    return {**{f"W{l}": W for l, W in enumerate(net.W, 1)},
            **{f"b{l}": b for l, b in enumerate(net.b, 1)}}


@pytest.mark.parametrize("case", ["wrong sizes", "missing b2", "bad shape", "extra array",
                                  "objects", "nan", "text", "not a zip", "huge member"])
def test_load_theta_npz_refuses_a_mismatch_and_changes_nothing(trained, case):
    _, net, _ = trained
    parts = theta_parts(net)
    raw = {
        "wrong sizes": lambda: theta_npz(Network([3, 4, 2], seed=0)),
        "missing b2": lambda: npz(**{k: v for k, v in parts.items() if k != "b2"}),
        "bad shape": lambda: npz(**{**parts, "W2": np.zeros((4, 5))}),
        "extra array": lambda: npz(**parts, evil=np.zeros(3)),
        "objects": lambda: npz(**{**parts, "b1": np.array([{"a": 1}] * 5, dtype=object)}),
        "nan": lambda: npz(**{**parts, "b1": np.full(5, np.nan)}),
        "text": lambda: npz(**{**parts, "b1": np.array(["a"] * 5)}),
        "not a zip": lambda: b"\x93NUMPY junk",
        "huge member": lambda: _bomb(parts),
    }[case]()
    target = Network(net.sizes, activation=net.activation, seed=42)
    before = target.theta.copy()
    with pytest.raises(ValueError) as err:
        load_theta_npz(raw, target)
    assert len(str(err.value)) < 300
    np.testing.assert_array_equal(target.theta, before)


def _bomb(parts):
    """A compressed .npz whose W1 unpacks to 80 MB of zeros."""
    buf = io.BytesIO()
    np.savez_compressed(buf, **{**parts, "W1": np.zeros((10_000, 1000))})
    raw = buf.getvalue()
    assert len(raw) < 1_000_000
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        assert zf.getinfo("W1.npy").file_size > 50_000_000
    return raw


def test_theta_json_parses_and_matches(trained):
    _, net, _ = trained
    j = json.loads(theta_json(net))
    assert j["sizes"] == [3, 5, 4, 2] and j["activation"] == ["relu", "tanh"]
    assert (j["output"], j["loss"]) == ("softmax", "cross_entropy")
    assert len(j["W"]) == len(j["b"]) == 3
    for W, b, W_json, b_json in zip(net.W, net.b, j["W"], j["b"]):
        np.testing.assert_array_equal(np.array(W_json), W)      # exact: JSON keeps repr digits
        np.testing.assert_array_equal(np.array(b_json), b)


def test_history_csv_reads_back_with_the_same_columns_and_values(trained):
    _, _, tr = trained
    back = pd.read_csv(io.StringIO(history_csv(tr.history)))
    assert list(back.columns) == list(tr.history.columns)
    assert len(back) == 30
    pd.testing.assert_frame_equal(back, tr.history, check_dtype=False)


def test_dataset_csv_round_trips_through_read_points_csv(trained):
    d, _, _ = trained
    text = dataset_csv(d)
    assert text.splitlines()[0] == "x1,x2,label,split"
    p = read_points_csv(text.encode())
    np.testing.assert_array_equal(p.points, np.concatenate([d.points_train, d.points_test]))
    np.testing.assert_array_equal(p.y, np.concatenate([d.y_train, d.y_test]))
    back = pd.read_csv(io.StringIO(text))
    assert (back["split"] == "train").sum() == len(d.y_train)


def test_regression_dataset_csv_round_trips():
    d = make_dataset("multi_gauss", 120, noise=0.2, seed=4)
    text = dataset_csv(d)
    assert text.splitlines()[0] == "x1,x2,target,split"
    p = read_points_csv(text.encode())
    assert p.task == "regression"
    np.testing.assert_array_equal(p.y, np.concatenate([d.y_train, d.y_test]))


def test_config_json():
    cfg = {"dataset": "xor", "features": ["x1", "x2"], "lr": 0.03, "n_hidden": 2}
    assert json.loads(config_json(cfg, t=250)) == {**cfg, "t": 250}
    assert json.loads(config_json(cfg)) == cfg
