"""The robustness simulation benchmark's panels and report, on a tiny run."""

import numpy as np

from bench import robustness_simulation as bench


def test_the_panels_have_the_demos_and_the_load_benchmarks_shapes():
    demo = np.array(bench.demo_shape())
    large = np.array(bench.large_shape())
    for parents, nodes, leaves in ((demo, 16, 12), (large, 101, 70)):
        children = np.bincount(parents[1:], minlength=parents.size)
        assert parents.size == nodes and np.sum(children == 0) == leaves
        assert children.max() <= 9  # the RI tables' limit
    assert np.bincount(large[1:])[0] == 6


def test_a_tiny_run_writes_its_section(tmp_path, capsys):
    output = tmp_path / "BENCHMARKS.md"
    bench.main(["--noise-draws", "200", "--bootstrap-draws", "100", "--experts", "12",
                "--repeats", "1", "--output", str(output)])  # fmt: skip

    report = output.read_text()
    assert "<!-- bench:robustness -->" in report
    assert "## Robustness: uncertainty by simulation" in report
    assert report.count("| large: 12 experts, 100 indicators, 3 subjects |") == 4
    assert "| 200 |" in report and "| 100 |" in report
