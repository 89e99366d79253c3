"""tests/bench/mdtable.py — the one Markdown table writer of the bench scripts.

    md_table([("RAM", "l"), ("tables", "r")], [("1G", 9), ("4G", 12)])

gives the lines of a table: the header, the alignment row ("---" left, "---:" right),
one line per row.  Cells are written with str(); an empty cell stays empty ("| |"), a
short row is padded with empty cells, and a "|" inside a cell is escaped so that it
cannot split the row.
"""


def md_row(cells):
    return "|" + "".join(" %s |" % str(c).replace("|", "\\|") if str(c) else " |"
                         for c in cells)


def md_table(columns, rows):
    lines = [md_row(title for title, _ in columns),
             "|" + "".join("---:|" if align == "r" else "---|" for _, align in columns)]
    for r in rows:
        r = list(r)
        lines.append(md_row(r + [""] * (len(columns) - len(r))))
    return lines
