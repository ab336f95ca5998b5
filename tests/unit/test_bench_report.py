"""The pure parts of the benchmarks: percentiles, shares, units and the printed table."""

from __future__ import annotations

import io

import pytest

from bench.report import (
    Summary,
    format_rate,
    format_seconds,
    format_share,
    format_table,
    percentile,
    print_table,
    share_over,
)


def test_median_of_an_odd_count_is_the_middle_value() -> None:
    assert percentile([5.0, 1.0, 3.0], 50) == 3.0


def test_median_of_an_even_count_is_the_mean_of_the_middle_two() -> None:
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.5


def test_percentile_interpolates_between_the_closest_ranks() -> None:
    values = [float(n) for n in range(1, 21)]  # 1..20
    assert percentile(values, 95) == pytest.approx(19.05)
    assert percentile(values, 90) == pytest.approx(18.1)


def test_extreme_percentiles_are_the_smallest_and_largest_values() -> None:
    values = [0.3, 0.1, 0.9, 0.5]
    assert percentile(values, 0) == 0.1
    assert percentile(values, 100) == 0.9


def test_percentile_of_one_value_is_that_value() -> None:
    assert percentile([0.42], 95) == 0.42


def test_percentile_does_not_reorder_the_callers_list() -> None:
    values = [3.0, 1.0, 2.0]
    percentile(values, 50)
    assert values == [3.0, 1.0, 2.0]


@pytest.mark.parametrize("q", [-1, 100.5])
def test_percentile_outside_0_to_100_is_refused(q: float) -> None:
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile([1.0], q)


def test_percentile_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)


def test_summary_has_count_median_p95_and_max() -> None:
    summary = Summary.of([float(n) for n in range(1, 21)])
    assert summary.count == 20
    assert summary.median == 10.5
    assert summary.p95 == pytest.approx(19.05)
    assert summary.max == 20.0


def test_share_over_counts_only_values_strictly_above_the_limit() -> None:
    assert share_over([1.0, 6.0, 6.5, 16.0], 6.0) == 0.5
    assert share_over([], 6.0) == 0.0


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0.0000231, "23.1 µs"),
        (0.0123, "12.3 ms"),
        (0.4124, "412 ms"),
        (1.8412, "1.84 s"),
        (16.0, "16.00 s"),
        (-0.0123, "-12.3 ms"),
    ],
)
def test_durations_are_shown_with_a_readable_unit(seconds: float, shown: str) -> None:
    assert format_seconds(seconds) == shown


@pytest.mark.parametrize(
    ("fraction", "shown"), [(0.0, "0%"), (0.5, "50%"), (0.125, "12.5%"), (1.0, "100%")]
)
def test_shares_are_percentages_with_a_decimal_only_when_needed(
    fraction: float, shown: str
) -> None:
    assert format_share(fraction) == shown


def test_rates_get_thousands_separators_and_small_ones_a_decimal() -> None:
    assert format_rate(58939.4) == "58,939/s"
    assert format_rate(8.42) == "8.4/s"


def test_table_pads_columns_left_for_the_first_and_right_for_the_others() -> None:
    text = format_table(
        ["kind", "turns", "median"],
        [["greeting", 30, "121 ms"], ["ticket creation", 5, "1.20 s"]],
    )
    assert text.splitlines() == [
        "kind             turns  median",
        "---------------  -----  ------",
        "greeting            30  121 ms",
        "ticket creation      5  1.20 s",
    ]


def test_table_with_no_rows_is_its_header_and_rule() -> None:
    assert format_table(["kind", "n"], []).splitlines() == ["kind  n", "----  -"]


def test_a_row_with_the_wrong_number_of_cells_is_refused() -> None:
    with pytest.raises(ValueError, match="row 1 has 1 cells, the header 2"):
        format_table(["kind", "n"], [["greeting"]])


def test_print_table_writes_the_title_the_table_and_a_blank_line() -> None:
    out = io.StringIO()
    print_table("Turns, 1 caller", ["kind", "n"], [["all", 3]], file=out)
    assert out.getvalue() == "Turns, 1 caller\nkind  n\n----  -\nall   3\n\n"
