"""The fast paths give what the plain ones gave: `dossier extract` reading lines a batch at a
time (spaCy's `nlp.pipe`) writes the same JSON lines as one line at a time, a bad line in a
batch is refused with its number and the rest come out in order; `dossier ingest --jobs 2`
makes the same dossier as `--jobs 1`."""

from __future__ import annotations

import io
import json
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from dossier.cli import main
from dossier.ingest import extract

# The store's suites run on both engines (tests/conftest.py).
pytestmark = pytest.mark.both_engines

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"
WIKINEWS = ROOT.parent / "shared" / "corpus" / "wikinews"


def texts() -> list[str]:
    files = sorted(SAMPLE.glob("*.txt")) + sorted(WIKINEWS.glob("*.txt"))[:40]
    found = [f.read_text(encoding="utf-8") for f in files]
    return found + ["", "   ", "Kim Jong Un met Vladimir Putin in Vladivostok.",
                    "WASHINGTON (Reuters) - The U.S. Treasury on Tuesday sanctioned "
                    "Ashot Mkrtychev.", "Zürich — Crédit Suisse’s chairman, Axel Lehmann."]


def lines() -> str:
    return "".join(json.dumps({"id": i, "text": t, "published": "2023-04-04"}) + "\n"
                   for i, t in enumerate(texts()))


def run(data: str, monkeypatch, *, batch: int, extractor: str = "rules",
        jobs: int = 1) -> tuple[int, str, str]:
    monkeypatch.setattr(extract, "BATCH", batch)
    out, err = io.StringIO(), io.StringIO()
    status = extract.run_extract(io.StringIO(data), out, err, extractor=extractor, jobs=jobs)
    return status, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("extractor", ["rules", pytest.param("spacy", marks=pytest.mark.spacy)])
def test_batched_extract_writes_the_same_lines_as_one_at_a_time(monkeypatch, extractor):
    if extractor == "spacy":
        pytest.importorskip("spacy")
        from dossier.ingest.entities import ExtractorUnavailable, make_extractor
        try:
            make_extractor("spacy")
        except ExtractorUnavailable:
            pytest.skip("no spaCy model")
    data = lines()
    one = run(data, monkeypatch, batch=1, extractor=extractor)
    assert one[0] == 0 and one[2] == ""
    assert len(one[1].splitlines()) == len(texts())
    assert run(data, monkeypatch, batch=32, extractor=extractor) == one
    assert run(data, monkeypatch, batch=7, extractor=extractor) == one


def test_a_bad_line_in_a_batch_is_refused_and_the_rest_come_out_in_order(monkeypatch):
    good = [json.dumps({"id": f"a{i}", "text": f"Mary Barra ran General Motors in year {i}."})
            for i in range(10)]
    data = good[:4] + ["{not json"] + good[4:7] + ['{"text": 5}'] + good[7:]
    status, out, err = run("\n".join(data) + "\n", monkeypatch, batch=32)
    assert status == 2
    assert [json.loads(x)["id"] for x in out.splitlines()] == [f"a{i}" for i in range(10)]
    assert err.splitlines()[0].startswith("dossier extract: line 5: ")
    assert err.splitlines()[1] == ("dossier extract: line 9: expected an object with a "
                                   "string 'text'")
    assert err.splitlines()[-1] == "dossier extract: 2 lines refused"
    # The same with lines a batch apart, and blank lines (skipped, but counted) between.
    spaced = "\n".join(good[:2] + ["", "", "[1]"] + good[2:]) + "\n"
    status, out2, err = run(spaced, monkeypatch, batch=2)
    assert status == 2 and err.splitlines()[0].startswith("dossier extract: line 5: ")
    assert [json.loads(x)["id"] for x in out2.splitlines()] == [f"a{i}" for i in range(10)]


def test_extract_with_two_processes_writes_the_same_lines(tmp_path):
    data = lines() + "{broken\n" + lines()
    runner = CliRunner()
    one = runner.invoke(main, ["extract", "--extractor", "rules"], input=data)
    two = runner.invoke(main, ["extract", "--extractor", "rules", "--jobs", "2"], input=data)
    assert one.exit_code == two.exit_code == 2
    assert two.stdout == one.stdout and two.stderr == one.stderr
    assert f"line {len(texts()) + 1}: " in two.stderr


def dump(db: Path) -> list[str]:
    """Every row of every table, in order, with the times of writing taken out."""
    conn = sqlite3.connect(db)
    try:
        return [re.sub(r"\d{4}-\d\d-\d\dT[\d:.]+Z", "<time>", line)
                for line in conn.iterdump()]
    finally:
        conn.close()


def pile(tmp_path: Path) -> Path:
    folder = tmp_path / "pile"
    folder.mkdir()
    for f in sorted(SAMPLE.glob("*.txt")) + sorted(WIKINEWS.glob("*.txt")):
        (folder / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    first = sorted(folder.iterdir())[0]
    (folder / f"zz-copy-{first.name}").write_text(first.read_text(encoding="utf-8"),
                                                   encoding="utf-8")  # a duplicate
    (folder / "broken.json").write_text("{not json", encoding="utf-8")  # refused
    return folder


@pytest.mark.parametrize("extractor", ["rules", pytest.param("spacy", marks=pytest.mark.spacy)])
def test_ingest_with_two_processes_makes_the_same_dossier(tmp_path, extractor):
    if extractor == "spacy":
        pytest.importorskip("spacy")
    folder = pile(tmp_path)
    runner = CliRunner()
    results = {}
    for jobs in ("1", "2"):
        db = tmp_path / f"jobs{jobs}.dossier"
        results[jobs] = runner.invoke(main, ["ingest", str(db), str(folder), "--extractor",
                                             extractor, "--jobs", jobs])
    one, two = results["1"], results["2"]
    assert one.exit_code == two.exit_code == 1  # the broken file
    assert two.stdout.replace("jobs2", "jobs1") == one.stdout
    assert two.stderr == one.stderr and "broken.json" in one.stderr
    assert "1 duplicate" in one.stdout
    assert dump(tmp_path / "jobs2.dossier") == dump(tmp_path / "jobs1.dossier")


def test_jobs_zero_means_one_a_core_and_a_negative_number_is_refused(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Title\n\nMary Barra runs General Motors.\n", encoding="utf-8")
    runner = CliRunner()
    ok = runner.invoke(main, ["ingest", str(tmp_path / "d.dossier"), str(folder),
                              "--extractor", "rules", "--jobs", "0"])
    assert ok.exit_code == 0 and "1 added" in ok.stdout
    bad = runner.invoke(main, ["ingest", str(tmp_path / "e.dossier"), str(folder),
                               "--jobs", "-1"])
    assert bad.exit_code == 2 and not (tmp_path / "e.dossier").exists()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_script_that_waits_for_each_answer_gets_it(jobs):
    """Reading ahead never waits for lines not written yet: one line in, its answer out."""
    import select
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "dossier", "extract", "--extractor",
                             "rules", "--jobs", jobs], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        for i in range(3):
            proc.stdin.write(json.dumps({"id": i, "text": "Mary Barra runs GM."}) + "\n")
            proc.stdin.flush()
            ready, _, _ = select.select([proc.stdout], [], [], 120)  # a hang, not a speed
            assert ready, "no answer while the next line is not written"
            assert json.loads(proc.stdout.readline())["id"] == i
        proc.stdin.close()
        assert proc.wait(timeout=120) == 0
    finally:
        proc.kill()


def spacy_extractor():
    pytest.importorskip("spacy")
    from dossier.ingest.entities import ExtractorUnavailable, make_extractor
    try:
        return make_extractor("spacy")
    except ExtractorUnavailable:
        pytest.skip("no spaCy model")


@pytest.mark.spacy
def test_the_ner_runs_on_numpy_blas_not_blis():
    """The model's matrix products go to numpy's BLAS (BLIS runs its generic kernels on
    this CPU). The cost of the NER's steps against its network is a benchmark
    (bench/ner_steps.py), not a test: CPU time still moves with other processes' load."""
    ner = spacy_extractor().nlp.get_pipe("ner")
    assert ner.model.ops.name == "numpy" and not ner.model.ops.use_blis


@pytest.mark.spacy
@pytest.mark.parametrize("workers", ["forked after the load", "each loading the model"])
def test_a_model_in_two_workers_writes_what_it_writes_in_this_process(monkeypatch, workers):
    """`dossier extract --jobs 2` with spaCy: the lines are those of the model run here,
    in the same order, whether the workers are forked from this process once the model is
    loaded (Linux) or start afresh and load it each (where a fork cannot be used)."""
    from dossier.ingest import parallel

    spacy_extractor()
    data = lines()
    here = run(data, monkeypatch, batch=32, extractor="spacy")
    assert here[0] == 0 and here[2] == ""
    if workers == "each loading the model":
        monkeypatch.setattr(parallel, "can_fork", lambda: False)
    elif not parallel.can_fork():
        pytest.skip("no fork here")
    assert run(data, monkeypatch, batch=16, extractor="spacy", jobs=2) == here
    assert run(data, monkeypatch, batch=3, extractor="spacy", jobs=2) == here


@pytest.mark.spacy
def test_the_tokenizer_built_once_is_the_one_the_pipeline_saved():
    """spaCy's tokenizer is loaded bare and filled from the pipeline's saved one (not first
    built with the language's defaults): the same rules, special cases and tokens."""
    import spacy

    from dossier.ingest.entities import _load_pipeline

    model = spacy_extractor().model
    once = _load_pipeline(spacy, model, bare_tokenizer=True)
    usual = _load_pipeline(spacy, model, bare_tokenizer=False)
    assert once.tokenizer.rules and once.tokenizer.to_bytes() == usual.tokenizer.to_bytes()
    for text in texts():
        assert [(t.idx, t.text) for t in once.tokenizer(text)] == [
            (t.idx, t.text) for t in usual.tokenizer(text)]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_model_that_cannot_load_is_said_even_without_input(jobs):
    runner = CliRunner()
    for data in ("", '{"text": "Mary Barra runs GM."}\n'):
        result = runner.invoke(main, ["extract", "--model", "no_such_model_here", "--jobs",
                                      jobs], input=data)
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("dossier: ") and "spaCy" in result.stderr
