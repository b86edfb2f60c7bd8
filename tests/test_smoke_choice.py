"""The `smoke` budget's stated reason is what its selection table says.

docs/performance.md ("Choosing `smoke`") holds the validation gains that chose the budget;
gwin/presets.py and that page state the rule. Any "N is the smallest budget tried at which ..."
must name the budget that the table gives under that rule.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "docs" / "performance.md").read_text()
PRESETS = (ROOT / "gwin" / "presets.py").read_text()
FLAT = {"page": " ".join(PAGE.split()), "presets": " ".join(PRESETS.split())}  # no line breaks
CLAIM = re.compile(r"(\d[\d,]*)(?::| is) the smallest budget tried")


def selection_table() -> dict[int, list[float]]:
    """iterations -> the 8 validation gains (4 seeds x 1 and 2 threads) of lambda_Loss = 10."""
    section = PAGE[PAGE.index("## Choosing `smoke`") :]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        budget = re.fullmatch(r"\**(\d+)\**( \(chosen\))?", cells[0])
        if len(cells) == 3 and budget:
            gains = [float(v.replace("−", "-")) for c in cells[1:] for v in c.split("/")]
            rows[int(budget[1])] = gains
    return rows


def smallest(rule) -> int:
    return min(k for k, gains in selection_table().items() if rule(gains))


def test_the_table_is_read():
    table = selection_table()
    assert sorted(table) == [100, 200, 300, 400, 600] and all(len(g) == 8 for g in table.values())


def test_every_smallest_budget_claim_names_what_the_table_gives():
    every_seed_gains = smallest(lambda gains: min(gains) > 0)
    assert every_seed_gains == 300  # seed 1: +1.11 / +1.10 at 300
    for text in FLAT.values():
        for claim in CLAIM.findall(text):
            assert int(claim.replace(",", "")) == every_seed_gains, claim


def test_600_is_the_largest_tried_and_the_only_one_with_every_seed_above_5_points():
    table = selection_table()
    assert max(table) == 600
    assert [k for k, gains in table.items() if min(gains) > 5] == [600]
    assert "600 is the largest budget tried" in FLAT["page"]
    assert "600: the largest budget tried" in FLAT["presets"]
