"""The diagnosed-gap arithmetic, with hand-computed cases (pure functions, no database)."""

from diagnostics.diagnosed_gaps import ScoreMean, biggest_gaps, change_label, gap_cells, gap_changes, gap_label


def rows(*values):
    return [
        ScoreMean(stage_id=s, dimension_id=d, perspective=p, mean=m, is_touchpoint_level=t) for s, d, p, m, t in values
    ]


def test_target_gap_is_target_minus_baseline_and_internal_gap_is_internal_minus_baseline():
    cells = gap_cells(rows((1, 10, "baseline", 3, False), (1, 10, "target", 6, False), (1, 10, "internal", 5, False)))
    cell = cells[(1, 10)]
    assert (cell.target_gap, cell.internal_gap) == (3.0, 2.0)


def test_a_cell_without_target_has_no_gap():
    cell = gap_cells(rows((1, 10, "baseline", 3, False)))[(1, 10)]
    assert cell.target_gap is None and cell.internal_gap is None


def test_stage_level_score_wins_over_the_mean_of_touchpoints():
    cells = gap_cells(
        rows(
            (1, 10, "baseline", 2, False),
            (1, 10, "baseline", 5, True),
            (1, 10, "target", 6, True),
        )
    )
    assert cells[(1, 10)].baseline == 2 and cells[(1, 10)].target_gap == 4


def test_biggest_gaps_come_first_and_unscored_cells_are_left_out():
    cells = gap_cells(
        rows(
            (1, 10, "baseline", 4, False),
            (1, 10, "target", 5, False),
            (2, 10, "baseline", 2, False),
            (2, 10, "target", 6.5, False),
            (3, 10, "baseline", 3, False),
        )
    )
    ranked = biggest_gaps(cells)
    assert [(cell.stage_id, cell.target_gap) for cell in ranked] == [(2, 4.5), (1, 1.0)]


def test_gap_change_is_negative_when_the_gap_narrowed():
    before = gap_cells(rows((1, 10, "baseline", 2, False), (1, 10, "target", 6, False)))
    after = gap_cells(rows((1, 10, "baseline", 4.5, False), (1, 10, "target", 6, False)))
    change = gap_changes(before, after)[(1, 10)]
    assert change.change == -2.5
    assert change_label(change.change) == "narrowed"


def test_gap_words_read_without_colour():
    assert [gap_label(value) for value in (None, -1, 0, 1, 2, 3, 4)] == [
        "not scored",
        "target below baseline",
        "no gap",
        "small gap",
        "moderate gap",
        "large gap",
        "very large gap",
    ]
