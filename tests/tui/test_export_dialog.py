"""The app's export dialog shares the export layer's refusals: `e` onto the open dossier."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, OptionList
from tui_helpers import rows, settle


async def export_from_app(app, pilot, fmt: str, target) -> None:
    """`e`, the format chosen in the list, the path typed, enter: as the analyst does."""
    await pilot.press("e")
    await settle(pilot)
    options = app.screen.query_one(OptionList)
    options.highlighted = list(app.screen.values).index(fmt)
    await pilot.press("enter")
    await settle(pilot)
    app.screen.query_one(Input).value = str(target)
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await settle(pilot)


async def test_exporting_onto_the_open_dossier_is_refused_with_a_notice(make_app, sample_path):
    articles = rows(sample_path, "SELECT id, title, body FROM articles ORDER BY id")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for target in (sample_path, f"{sample_path}-wal"):
            await export_from_app(app, pilot, "json", target)
            messages = [str(n.message) for n in app._notifications]
            assert any(str(target) in m and "choose another output path" in m
                       for m in messages), messages
    assert rows(sample_path, "SELECT id, title, body FROM articles ORDER BY id") == articles
    assert rows(sample_path, "PRAGMA integrity_check") == [("ok",)]


async def test_a_failed_export_shows_the_command_lines_one_line(make_app, sample_path, tmp_path):
    """`e` into a missing folder, a folder, or /proc: the notice is the line `dossier export`
    prints (without its `dossier: `), and no file is left."""
    from click.testing import CliRunner

    from dossier.cli import main

    targets = [tmp_path / "no" / "such" / "out.md", tmp_path]
    if Path("/proc/self").is_dir():
        targets.append(Path("/proc/out.md"))
    expected = []
    for target in targets:
        result = CliRunner().invoke(main, ["export", str(sample_path), "-f", "md", "-o",
                                           str(target)])
        assert result.exit_code == 1, result.output
        expected.append(result.stderr.strip().removeprefix("dossier: "))
    app = make_app()
    messages: list[str] = []
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for target in targets:
            await export_from_app(app, pilot, "md", target)
            messages += [str(n.message) for n in app._notifications]
    for line in expected:
        assert line in messages, (line, messages)
    assert not (tmp_path / "no").exists()
    left = {p.name for p in tmp_path.iterdir()} - {sample_path.name, f"{sample_path.name}-wal",
                                                   f"{sample_path.name}-shm"}
    assert not left, left  # no export, no temporary beside the dossier


async def test_a_long_export_says_how_far_it_is(make_app, tmp_path, monkeypatch):
    """`e` on 1,200 articles: the export runs in the background and says how far it is
    (at most once a second: the test's clock moves two seconds a look), then where it wrote."""
    from types import SimpleNamespace

    import dossier.tui.app as app_module
    from dossier.model import Article
    from dossier.store import Store

    path = tmp_path / "pile.db"
    store = Store.open(path, create=True)
    with store.bulk():
        for n in range(1200):
            store.ingest_article(Article(title=f"Wire story {n:04d}", body=f"Report {n}.",
                                         content_hash=f"h{n}"), [], [], [])
    store.close()
    clock = iter(range(0, 10_000, 2))
    monkeypatch.setattr(app_module, "time", SimpleNamespace(monotonic=lambda: next(clock)))
    target = tmp_path / "out.json"
    app = make_app(path)
    said: list[str] = []
    real_notify = app.notify
    app.notify = lambda message, **kw: (said.append(str(message)), real_notify(message, **kw))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await export_from_app(app, pilot, "json", target)
    assert [m for m in said if m.startswith("exporting")] == [
        "exporting json: 500/1200", "exporting json: 1000/1200"]
    assert said[-1] == f"exported json to {target}"
    assert target.read_text(encoding="utf-8").count('"Wire story ') == 1200
