"""Two apps on one PostgreSQL dossier: each analyst's tag appears in the other's app by
itself (LISTEN/NOTIFY), and is in the database with who made it (the later one wins
in an exclusive set, as on a file)."""

from __future__ import annotations

import time

from dossier_helpers import add_article_with_names, other_tool
from tui_helpers import screen_text, settle

from dossier.store import Store
from dossier.tagsets import load_tagsets
from dossier.tui.app import DossierApp
from dossier.tui.widgets.panes import ArticleList


async def _until(pilot, condition, what: str) -> None:
    deadline = time.monotonic() + 10
    while not condition():
        assert time.monotonic() < deadline, what
        await pilot.pause(0.05)


async def test_two_apps_on_one_postgresql_dossier_see_each_others_tags(pg_url):
    store = Store.open(pg_url, create=True)
    add_article_with_names(store, "Broker sanctioned", "Ashot Mkrtychev was sanctioned.", {},
                           published="2023-04-04")
    store.close()
    ana = DossierApp(Store.open(pg_url), tagsets=load_tagsets(), analyst="ana")
    bo = DossierApp(Store.open(pg_url), tagsets=load_tagsets(), analyst="bo")
    try:
        async with ana.run_test(size=(120, 40)) as pa, bo.run_test(size=(120, 40)) as pb:
            await settle(pa)
            await settle(pb)
            assert " relevant " not in screen_text(bo)
            ana.query_one(ArticleList).focus()
            await pa.press("1")
            await settle(pa)
            with other_tool(pg_url) as conn:
                assert conn.execute("SELECT tag, analyst FROM taggings").fetchall() == [
                    ("relevant", "ana")]
            await _until(pb, lambda: " relevant " in screen_text(bo),
                         "ana's tag never appeared in bo's app")
            bo.query_one(ArticleList).focus()
            await pb.press("2")
            await settle(pb)
            # Triage is exclusive: the later write wins, in both apps.
            with other_tool(pg_url) as conn:
                assert conn.execute("SELECT tag, analyst FROM taggings").fetchall() == [
                    ("background", "bo")]
            await _until(pa, lambda: " background " in screen_text(ana)
                         and " relevant " not in screen_text(ana),
                         "bo's tag never appeared in ana's app")
    finally:
        ana.store.close()
        bo.store.close()
