"""model.summary() text against Keras 3's output (KERAS_REFERENCE.md, captured from Keras 3.15.1)."""
import pytest

from deepbasics.models.summary_format import (
    column_widths, default_line_length, format_shape, format_summary, readable_memory_size)

COURSE_ROWS = [("dense", "Dense", (None, 64), 50240), ("dense_1", "Dense", (None, 10), 650)]

# Copied verbatim from KERAS_REFERENCE.md, "model.summary()" (non-terminal stdout, 76 wide).
KERAS_COURSE_SUMMARY = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense (Dense)                   │ (None, 64)             │        50,240 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 10)             │           650 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 50,890 (198.79 KB)
 Trainable params: 50,890 (198.79 KB)
 Non-trainable params: 0 (0.00 B)"""


@pytest.fixture
def not_a_terminal(monkeypatch):
    """What shutil.get_terminal_size() reports when stdout is a pipe or a file: 80 columns."""
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("LINES", "24")


def test_course_model_matches_keras_character_for_character(not_a_terminal):
    assert format_summary("sequential", COURSE_ROWS, 50890, 0) == KERAS_COURSE_SUMMARY


def test_explicit_line_length_76_gives_the_same_text():
    assert format_summary("sequential", COURSE_ROWS, 50890, 0, line_length=76) \
        == KERAS_COURSE_SUMMARY


def test_width_rule_follows_the_terminal_up_to_88(monkeypatch):
    for columns, expected in [("80", 76), ("200", 88), ("60", 56), ("10", 20)]:
        monkeypatch.setenv("COLUMNS", columns)
        assert default_line_length() == expected
    monkeypatch.setenv("COLUMNS", "200")
    lines = format_summary("sequential", COURSE_ROWS, 50890, 0).splitlines()
    assert {len(line) for line in lines[1:8]} == {88}


def test_column_widths_are_keras_positions_less_rich_padding():
    # Keras asks 34/26/16 of 76; rich pads each cell by 2 and takes 3, 4, 3 back.
    assert column_widths(76) == [31, 22, 13]
    assert column_widths(88) == [36, 27, 15]
    with pytest.raises(ValueError, match="line_length=10"):
        column_widths(10)


def test_optimizer_line_counts_in_total():
    text = format_summary("sequential", COURSE_ROWS, 50890, 0, optimizer_count=2, line_length=76)
    assert text.splitlines()[-4:] == [
        " Total params: 50,892 (198.80 KB)",
        " Trainable params: 50,890 (198.79 KB)",
        " Non-trainable params: 0 (0.00 B)",
        " Optimizer params: 2 (8.00 B)",
    ]


def test_no_optimizer_line_when_zero():
    assert "Optimizer" not in format_summary("m", COURSE_ROWS, 50890, 0, line_length=76)


@pytest.mark.parametrize("n_bytes, expected", [
    (0, "0.00 B"), (8, "8.00 B"), (1023, "1023.00 B"), (1024, "1.00 KB"),
    (203560, "198.79 KB"), (3 * 1024 ** 2, "3.00 MB"), (5.5 * 1024 ** 3, "5.50 GB"),
    (2 * 1024 ** 4, "2.00 TB"), (1024 ** 6, "1024.00 PB"),
])
def test_readable_memory_size(n_bytes, expected):
    assert readable_memory_size(n_bytes) == expected


def test_bytes_per_param_scales_memory():
    text = format_summary("m", COURSE_ROWS, 50890, 128, bytes_per_param=8, line_length=76)
    assert " Trainable params: 50,890 (397.58 KB)" in text
    assert " Non-trainable params: 128 (1.00 KB)" in text


def test_unbuilt_layer_shows_question_mark_and_zero_unbuilt():
    text = format_summary("sequential", [("dense", "Dense", None, None)], 0, 0, line_length=76)
    assert text.splitlines()[4] == (
        "│ dense (Dense)                   │ ?                      │   0 (unbuilt) │")


def test_empty_model_has_header_and_bottom_only():
    lines = format_summary("sequential", [], 0, 0, line_length=76).splitlines()
    assert lines[4] == "└" + "─" * 33 + "┴" + "─" * 24 + "┴" + "─" * 15 + "┘"
    assert lines[5] == " Total params: 0 (0.00 B)"


def test_long_names_wrap_in_the_cell_and_long_words_end_with_ellipsis():
    # Compared with rich 15 rendering Keras 3's table at line_length=40.
    rows = [("a_very_long_layer_name_that_exceeds_width_for_sure", "Dense", (None, 64), None),
            ("short name with spaces in it that wraps around", "Conv2D",
             (None, 28, 28, 12345678, 99999999, 3), 123456789012345678)]
    expected = """\
┏━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━┓
┃                 ┃ Output     ┃ Param ┃
┃ Layer (type)    ┃ Shape      ┃     # ┃
┡━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━┩
│ a_very_long_la… │ (None, 64) │     0 │
│ (Dense)         │            │ (unb… │
├─────────────────┼────────────┼───────┤
│ short name with │ (None, 28, │ 123,… │
│ spaces in it    │ 28,        │       │
│ that wraps      │ 12345678,  │       │
│ around (Conv2D) │ 99999999,  │       │
│                 │ 3)         │       │
└─────────────────┴────────────┴───────┘"""
    lines = format_summary("m", rows, 5, 0, line_length=40).splitlines()
    assert "\n".join(lines[1:14]) == expected


def test_every_table_line_has_the_line_length():
    rows = COURSE_ROWS + [("x" * 100, "Dense", (None, 3, 4), 12)]
    for width in (20, 40, 76, 88, 120):
        lines = format_summary("m", rows, 1, 0, line_length=width).splitlines()
        table = [line for line in lines if line[0] in "┏┃┡│├└"]
        assert {len(line) for line in table} == {width}


@pytest.mark.parametrize("shape, expected", [
    ((None, 64), "(None, 64)"), ((None, 28, 28, 1), "(None, 28, 28, 1)"), ((None,), "(None)"),
    (None, "?"), ([(None, 3), (None, 4)], "[(None, 3), (None, 4)]"), ([(None, 3)], "(None, 3)"),
])
def test_format_shape(shape, expected):
    assert format_shape(shape) == expected


def test_print_fn_receives_each_line_and_text_is_returned():
    received = []
    text = format_summary("sequential", COURSE_ROWS, 50890, 0, line_length=76,
                          print_fn=received.append)
    assert received == KERAS_COURSE_SUMMARY.split("\n")
    assert text == KERAS_COURSE_SUMMARY
