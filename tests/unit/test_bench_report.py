"""The pure parts of the benchmarks: percentiles, units, the printed table and the targets."""

from __future__ import annotations

import pytest

from bench.report import (
    format_rate,
    format_seconds,
    format_share,
    format_table,
    judge,
    percentile,
    print_level,
    print_table,
    ratios,
    timings,
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
    with pytest.raises(ValueError, match=r"range \[0, 100\]"):
        percentile([1.0], q)


def test_percentile_of_nothing_is_refused() -> None:
    with pytest.raises(ValueError, match="no values"):
        percentile([], 50)


def test_timings_have_median_p95_p99_and_max() -> None:
    figures = timings([float(n) for n in range(1, 21)], "server_")
    assert figures["server_p50_s"] == 10.5
    assert figures["server_p95_s"] == pytest.approx(19.05)
    assert figures["server_p99_s"] == pytest.approx(19.81)
    assert figures["server_max_s"] == 20.0


def test_timings_of_nothing_are_none() -> None:
    assert timings([]) == {"p50_s": None, "p95_s": None, "p99_s": None, "max_s": None}


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
    assert text.splitlines() == [  # tabulate's plain table: headers padded by 2
        "kind               turns    median",
        "---------------  -------  --------",
        "greeting              30    121 ms",
        "ticket creation        5    1.20 s",
    ]


def test_table_with_no_rows_is_its_header_and_rule() -> None:
    assert format_table(["kind", "n"], []).splitlines() == ["kind    n", "------  ---"]


def test_print_table_writes_the_title_the_table_and_a_blank_line(capsys) -> None:
    print_table("Turns, 1 caller", ["kind", "n"], [["all", 3]])
    assert capsys.readouterr().out == "Turns, 1 caller\nkind      n\n------  ---\nall       3\n\n"


def _bot(turns_per_second: float, p50: float, p95: float, filler: int = 0) -> dict:
    return {
        "turns_per_second": turns_per_second,
        "p50_s": p50,
        "p95_s": p95,
        "server_p50_s": p50 * 0.8,  # the emulator's hop on top
        "filler_turns": filler,
    }


def _report(levels: dict[int, tuple[dict, dict]], peak_mb: float = 900.0) -> dict:
    return {
        "levels": [
            {"callers": callers, "project": project, "baseline": stock}
            for callers, (project, stock) in levels.items()
        ],
        "bots": {
            "project": {
                "memory": {
                    "rasa-1": {"peak_rss_mb": 800.0},
                    "rasa-2": {"peak_rss_mb": peak_mb},
                    "action-server": {"peak_rss_mb": 9000.0},
                }
            }
        },
        "training": {
            "project": {"seconds": 0.02, "trained": False},
            "project_from_scratch_seconds": None,
        },
    }


def _verdicts(report: dict) -> dict[str, bool | None]:
    return {check["target"]: check["passed"] for check in judge(report)}


def test_a_project_meeting_every_target_passes_them_all_but_the_unmeasured() -> None:
    report = _report(
        {
            1: (_bot(30.0, 0.030, 0.050), _bot(14.0, 0.060, 0.110)),
            10: (_bot(45.0, 0.120, 0.240), _bot(14.0, 0.600, 1.300)),
            40: (_bot(45.0, 0.800, 1.500), _bot(13.0, 2.500, 4.600)),
        }
    )
    verdicts = _verdicts(report)
    assert verdicts.pop("training from scratch <= 3 min") is None  # not asked for this run
    assert all(verdicts.values()), verdicts


def test_the_issues_starting_point_fails_capacity_latency_and_filler() -> None:
    report = _report(
        {
            1: (_bot(11.8, 0.086, 0.132), _bot(13.7, 0.062, 0.112)),
            10: (_bot(11.5, 0.850, 1.380), _bot(14.2, 0.620, 1.300)),
            40: (_bot(11.0, 3.700, 5.800, filler=12), _bot(13.4, 2.700, 4.700)),
        }
    )
    verdicts = _verdicts(report)
    assert verdicts["turns/s at 10 callers >= 3x baseline"] is False
    assert verdicts["p95 at 10 callers <= 250 ms"] is False
    assert verdicts["server p50 at 1 caller <= 40 ms"] is False
    assert verdicts["no turn reaches the filler at 40 callers"] is False
    assert verdicts["peak RSS per Rasa replica <= 1.5 GB"] is True


def test_the_largest_rasa_replica_counts_and_other_processes_do_not() -> None:
    levels = {10: (_bot(45.0, 0.1, 0.2), _bot(14.0, 0.6, 1.3))}
    assert (
        _verdicts(_report(levels, peak_mb=1600.0))["peak RSS per Rasa replica <= 1.5 GB"] is False
    )
    assert _verdicts(_report(levels, peak_mb=1000.0))["peak RSS per Rasa replica <= 1.5 GB"] is True


def test_a_level_the_run_skipped_is_not_measured_rather_than_failed() -> None:
    verdicts = _verdicts(_report({1: (_bot(30.0, 0.03, 0.05), _bot(14.0, 0.06, 0.11))}))
    assert verdicts["no turn reaches the filler at 40 callers"] is None
    assert verdicts["turns/s at 10 callers >= 3x baseline"] is None
    assert verdicts["server p50 at 1 caller <= 40 ms"] is True


def test_a_bot_without_server_timing_leaves_the_server_target_unmeasured() -> None:
    untimed = {**_bot(30.0, 0.03, 0.05), "server_p50_s": None}
    verdicts = _verdicts(_report({1: (untimed, _bot(14.0, 0.06, 0.11))}))
    assert verdicts["server p50 at 1 caller <= 40 ms"] is None


def test_a_level_table_has_every_column_and_the_ratio_row(
    capsys: pytest.CaptureFixture[str],
) -> None:
    figures = {
        "calls": 4,
        "turns": 36,
        "errors": 1,
        "unexpected": 1,
        "filler_turns": 0,
        "p50_s": 0.1,
        "p95_s": 0.2,
        "p99_s": 0.3,
        "server_p50_s": None,  # the stock channel sends no Server-Timing
        "server_p95_s": None,
        "turns_per_second": 6.0,
        "cores_used": 0.5,
        "turns_per_core_second": 12.0,
    }
    entry = {"callers": 10, "order": ["baseline", "project"], "project": figures}
    entry |= {"baseline": figures, "ratios": ratios(figures, figures)}
    print_level(entry, 6.0)
    title, header, _, project, baseline, ratio, blank = capsys.readouterr().out.splitlines()
    assert title == "10 back-to-back callers: 6 s per bot, baseline first"
    assert header.split("  ")[0] == "bot"
    columns = "calls turns p50 p95 p99 server p50 server p95 turns/s cores turns/core-s filler bad"
    assert " ".join(header.split()[1:]) == columns
    assert project.split()[:4] == ["project", "4", "36", "100"]
    assert project.split()[-2:] == ["0", "2"]  # filler, and errors plus unexpected
    assert project.split().count("-") == 2
    assert baseline.split()[1:] == project.split()[1:]
    assert ratio.split() == ["project/baseline", *["1.00x"] * 5]
    assert blank == ""
