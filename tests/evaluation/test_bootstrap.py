"""nerkit/evaluation/bootstrap.py: each document's counts, F from counts,
and the paired bootstrap of a difference in F over the test documents."""

import numpy
import pytest

from nerkit.evaluation.bootstrap import document_counts, f_scores, paired_bootstrap


def test_a_documents_counts_need_the_exact_span_and_label():
    gold = {(0, 5, "PER"), (10, 14, "LOC"), (20, 25, "ORG")}
    predicted = {(0, 5, "PER"), (10, 14, "ORG"), (30, 33, "LOC")}
    assert document_counts(gold, predicted) == (1, 2, 2)
    assert document_counts(set(), set()) == (0, 0, 0)


def test_f_from_counts_is_zero_where_nothing_is_predicted_or_gold():
    counts = numpy.array([[3, 1, 1], [0, 0, 0], [0, 2, 0]])
    assert f_scores(counts).tolist() == pytest.approx([0.75, 0.0, 0.0])


def test_a_config_no_different_from_the_baseline_has_a_zero_interval():
    runs = [[(2, 1, 0), (0, 0, 1), (3, 0, 0)], [(1, 1, 1), (1, 0, 0), (3, 1, 0)]]
    result = paired_bootstrap(runs, runs, samples=200)
    assert (result["points"], result["ci95_low"], result["ci95_high"], result["share_ahead"]) == (0.0, 0.0, 0.0, 0.0)
    assert result["documents"] == 3


def test_a_config_ahead_on_every_document_is_ahead_in_every_resample():
    better = [[(3, 0, 0)] * 20, [(3, 0, 1)] * 20]
    worse = [[(2, 1, 1)] * 20, [(2, 2, 1)] * 20]
    result = paired_bootstrap(better, worse, samples=300)
    # the point difference is the mean over the seeds of F on all documents
    expected = 100 * ((f_scores(numpy.array([60, 0, 0])) + f_scores(numpy.array([60, 0, 20]))) / 2)
    expected -= 100 * ((f_scores(numpy.array([40, 20, 20])) + f_scores(numpy.array([40, 40, 20]))) / 2)
    assert result["points"] == pytest.approx(float(expected))
    assert 0 < result["ci95_low"] <= result["points"] <= result["ci95_high"]
    assert result["share_ahead"] == 1.0


def test_a_difference_carried_by_one_document_of_many_has_an_interval_across_zero():
    # the config finds one more entity in one document of fifty: a point
    # estimate above zero that a resample without that document does not show
    baseline = [[(1, 0, 1)] * 50]
    config = [[(2, 0, 0)] + [(1, 0, 1)] * 49]
    result = paired_bootstrap(config, baseline, samples=500)
    assert result["points"] > 0 and result["ci95_low"] == 0.0 and result["share_ahead"] < 1.0


def test_runs_over_different_test_documents_are_refused():
    with pytest.raises(ValueError, match="different test documents"):
        paired_bootstrap([[(1, 0, 0)] * 3], [[(1, 0, 0)] * 4])
