"""Parses the text of `model.summary()` into cells, so two summaries compare cell by cell.

Keras draws its summary with box characters: `┃` separates header cells, `│` body cells, and lines
made only of `━ ─ ┏ ┳ ┓ ┡ ╇ ┩ ├ ┼ ┤ └ ┴ ┘` separate rows. A cell too long for its column wraps
onto further `│` lines before the next separator; those pieces are joined with one space. Captured
with `print_fn=lines.append`, the text arrives as one string or as one string per line.
"""

import re

_HEADER_BAR = "┃"
_BODY_BAR = "│"
_SEPARATOR_STARTS = "┏┡├└┗┌╞╘+"
_MODEL_NAME = re.compile(r'^\s*Model: "(?P<name>.*)"\s*$')
_COUNT = re.compile(r"^\s*(?P<label>Total|Trainable|Non-trainable) params:\s*(?P<count>[\d,]+)")
_COUNT_KEYS = {"Total": "total", "Trainable": "trainable", "Non-trainable": "non_trainable"}


def _cells(line, bar):
    # "│ a │ b │" -> ["a", "b"]: the pieces outside the first and last bar are the border.
    return [cell.strip() for cell in line.strip().split(bar)[1:-1]]


def _merge(row, pieces):
    # A wrapped row: append each continuation piece to its column, skipping empty pieces.
    return [
        f"{cell} {piece}" if cell and piece else cell or piece
        for cell, piece in zip(row, pieces)
    ]


def parse_summary(printed):
    """Turns a printed summary into a dict of cells and counts.

    Args:
        printed: What `print_fn` received: a list of strings, each one line or many joined by
            newlines, or a single string.

    Returns:
        `{"name", "columns", "rows", "total", "trainable", "non_trainable"}`: the model name,
        the header cells, one list of cells per layer row, and the three parameter counts as ints.
    """
    text = printed if isinstance(printed, str) else "\n".join(printed)
    table = {"name": None, "columns": [], "rows": []}
    row = None  # the row being read; None right after a separator
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:
            continue
        if (match := _MODEL_NAME.match(line)) and table["name"] is None:
            table["name"] = match["name"]
        elif (match := _COUNT.match(line)) is not None:
            table[_COUNT_KEYS[match["label"]]] = int(match["count"].replace(",", ""))
        elif stripped[0] == _HEADER_BAR:
            pieces = _cells(line, _HEADER_BAR)
            table["columns"] = _merge(table["columns"], pieces) if table["columns"] else pieces
        elif stripped[0] == _BODY_BAR:
            pieces = _cells(line, _BODY_BAR)
            if row is None:
                row = pieces
                table["rows"].append(row)
            else:
                row[:] = _merge(row, pieces)
        elif stripped[0] in _SEPARATOR_STARTS:
            row = None
    for key in ("name", "total", "trainable", "non_trainable"):
        if table.get(key) is None:
            raise ValueError(f"Not a model summary: no {key!r} found in {text[:500]!r}")
    return table
