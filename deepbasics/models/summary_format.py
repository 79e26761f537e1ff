"""The text of ``model.summary()``, laid out exactly as Keras 3 prints it, without rich.

Keras 3 (``keras/src/utils/summary_utils.py``) draws a rich table. Captured as plain text, that
table comes down to a few rules, reproduced here so NumPy stays the only dependency:

- width ``line_length = min(88, terminal_columns - 4)``; columns end at 45%, 80% and 100% of it;
- each cell has one space of padding on either side and the table four border characters, so
  rich shrinks the three cells by 10 characters in all to keep the table ``line_length`` wide;
- text wraps at spaces inside its cell; a word longer than the cell ends with ``…``;
- heavy box characters for the header, light ones for the body, a rule between rows.

Widths: the terminal's columns come from ``shutil.get_terminal_size()``, which reads ``COLUMNS``
then the real stdout and falls back to 80 columns when stdout is not a terminal (a pipe, a log
file, a notebook), hence Keras's 76-wide reference output. Where Keras would raise
"Insufficient console width" on a very narrow terminal, the default stays 20 wide instead.
"""
import re
import shutil

_HEADER = ("Layer (type)", "Output Shape", "Param #")
_JUSTIFY = ("left", "left", "right")
_POSITIONS = (0.45, 0.80, 1.0)
_DEFAULT_LINE_LENGTH = 88  # Keras 3, sequential-like models
# a model with branches or shared layers adds the column of the tensors each layer reads
_GRAPH_HEADER = _HEADER + ("Connected to",)
_GRAPH_JUSTIFY = _JUSTIFY + ("left",)
_GRAPH_POSITIONS = (0.3, 0.56, 0.74, 1.0)
_GRAPH_LINE_LENGTH = 108
_NARROWEST_DEFAULT = 20
_WORD = re.compile(r"\s*\S+\s*")  # rich's word: the word and the spaces after it
_UNITS = ("B", "KB", "MB", "GB", "TB", "PB")


def format_summary(model_name, rows, trainable_count, non_trainable_count, optimizer_count=0,
                   bytes_per_param=4, line_length=None, print_fn=None, connections=None):
    """Return the summary as one string (no final newline); also pass each line to ``print_fn``.

    rows: ``(layer_name, class_name, output_shape, param_count)`` per layer; an output shape of
    None prints as ``?``, a param count of None as ``0 (unbuilt)``. ``optimizer_count > 0`` adds
    the ``Optimizer params`` line and counts it in ``Total params``, as Keras does once the
    optimizer is built. ``connections`` (one text per row, e.g. ``"dense[0][0]"``) adds Keras's
    ``Connected to`` column, for a functional model that is not a simple chain.

    >>> rows = [("dense", "Dense", (None, 64), 50240), ("dense_1", "Dense", (None, 10), 650)]
    >>> print(format_summary("sequential", rows, 50890, 0, line_length=76))
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
     Non-trainable params: 0 (0.00 B)
    """
    graph = connections is not None
    positions = _GRAPH_POSITIONS if graph else _POSITIONS
    widest = _GRAPH_LINE_LENGTH if graph else _DEFAULT_LINE_LENGTH
    widths = column_widths(line_length or default_line_length(widest), positions)
    body = [(f"{name} ({class_name})", format_shape(shape), format_param_count(count))
            for name, class_name, shape, count in rows]
    if graph:
        body = [cells + (text,) for cells, text in zip(body, connections)]
    lines = [f'Model: "{model_name}"']
    lines += _table(body, widths, _GRAPH_HEADER if graph else _HEADER,
                    _GRAPH_JUSTIFY if graph else _JUSTIFY)
    counts = [("Total", trainable_count + non_trainable_count + optimizer_count),
              ("Trainable", trainable_count), ("Non-trainable", non_trainable_count)]
    if optimizer_count > 0:
        counts.append(("Optimizer", optimizer_count))
    for label, count in counts:
        lines.append(f" {label} params: {int(count):,} "
                     f"({readable_memory_size(count * bytes_per_param)})")
    if print_fn is not None:
        for line in lines:
            print_fn(line)
    return "\n".join(lines)


def default_line_length(widest=_DEFAULT_LINE_LENGTH):
    """Keras's rule, ``min(88, terminal_columns - 4)`` (108 with the ``Connected to`` column):
    76 when stdout is not a terminal."""
    columns = shutil.get_terminal_size().columns
    return max(min(widest, columns - 4), _NARROWEST_DEFAULT)


def column_widths(line_length, positions=_POSITIONS):
    """Text widths of the cells of a table ``line_length`` wide: 31, 22, 13 for 76.

    Keras asks for columns ending at 45/80/100% of the width (30/56/74/100% with the
    ``Connected to`` column: 19, 17, 10, 17 for 76). Rich adds two padding spaces per
    cell and four borders, then takes the 10 extra characters back from the cells in turn,
    round(left / cells_left) each (``rich._ratio.ratio_reduce``): 3, 4, 3.
    """
    asked, end = [], 0
    for position in positions:
        width = int(position * line_length) - end
        if width < 4:
            raise ValueError(f"line_length={line_length} is too narrow to print the summary: "
                             "each column needs at least 4 characters.")
        asked.append(width)
        end += width
    excess = sum(w + 2 for w in asked) - (line_length - len(asked) - 1)
    widths = []
    for i, width in enumerate(asked):
        cut = min(width + 2, round(excess / (len(asked) - i)))
        excess -= cut
        widths.append(max(width - cut, 1))  # the text width: padded width less 2
    return widths


def format_shape(shape):
    """``(None, 64)`` for a shape, ``?`` for an unknown one, ``[(None, 3), (None, 4)]`` for several."""
    if shape is None:
        return "?"
    if isinstance(shape, str):
        return shape
    if isinstance(shape, dict):
        return "{" + ", ".join(f"{k}: {format_shape(v)}" for k, v in shape.items()) + "}"
    if all(dim is None or isinstance(dim, int) or hasattr(dim, "__index__") for dim in shape):
        return "(" + ", ".join(str(dim if dim is None else int(dim)) for dim in shape) + ")"
    if len(shape) == 1:  # Keras shows a single output's shape on its own
        return format_shape(shape[0])
    inner = ", ".join(format_shape(s) for s in shape)
    return f"[{inner}]" if isinstance(shape, list) else f"({inner})"


def format_param_count(count):
    """``50,240``; ``0 (unbuilt)`` for a layer that has no weights yet (count None)."""
    return "0 (unbuilt)" if count is None else f"{int(count):,}"


def readable_memory_size(n_bytes):
    """``198.79 KB``: divide by 1024 while the value reaches 1024, two decimals (Keras)."""
    size = float(n_bytes)
    for unit in _UNITS[:-1]:
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} {_UNITS[-1]}"


def _table(body, widths, header, justify):
    """The table's lines: header in heavy lines, each body row ruled off with light ones."""
    def rule(left, fill, middle, right):
        return left + middle.join(fill * (w + 2) for w in widths) + right

    lines = [rule("┏", "━", "┳", "┓")]
    lines += _row(header, widths, justify, "┃", vertical="bottom")
    lines.append(rule("┡", "━", "╇", "┩"))
    for i, cells in enumerate(body):
        if i:
            lines.append(rule("├", "─", "┼", "┤"))
        lines += _row(cells, widths, justify, "│", vertical="top")
    lines.append(rule("└", "─", "┴", "┘"))
    return lines


def _row(cells, widths, justify, bar, vertical):
    """One table row, as many lines high as its tallest cell; the header sits at the bottom."""
    columns = [_cell_lines(text, width, side) for text, width, side in zip(cells, widths, justify)]
    height = max(len(column) for column in columns)
    for column, width in zip(columns, widths):
        blank = [" " * width] * (height - len(column))
        if vertical == "top":
            column.extend(blank)
        else:
            column[:0] = blank
    joint = f" {bar} "
    return [f"{bar} {joint.join(line)} {bar}" for line in zip(*columns)]


def _cell_lines(text, width, justify):
    """rich's word wrap: break before a word that does not fit the rest of the line; a word
    longer than the cell stays on its own line and is cut to ``width - 1`` characters + ``…``."""
    lines, line = [], ""
    for word in _WORD.findall(text):
        if line and len(word.rstrip()) > width - len(line):
            lines.append(line)
            line = word
        else:
            line += word
    lines.append(line)
    out = []
    for line in lines:
        line = line.rstrip()
        if len(line) > width:
            line = line[:width - 1] + "…"
        out.append(line.rjust(width) if justify == "right" else line.ljust(width))
    return out
