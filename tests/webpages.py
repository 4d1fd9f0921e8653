"""Saved news pages of several sites' shapes, with what a reader should find in each.

Used by `tests/test_sources.py` and by `bench/webpages.py` (which scores the readers on them).
Each page has the chrome real pages carry around the story: navigation, cookie banners,
share buttons, related links, newsletter boxes, comments, scripts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    name: str
    html: str
    title: str
    published: str | None
    author: str | None
    source: str | None
    paragraphs: tuple[str, ...]  # the story's body, as the reader should see it

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


NAV = """<nav class="site-nav"><ul><li><a href="/">Home</a></li><li><a href="/world">World</a>
</li><li><a href="/business">Business</a></li><li><a href="/sport">Sport</a></li></ul></nav>"""
COOKIES = """<div id="cookie-banner" class="cookie-consent"><p>We use cookies to improve your
experience and to show you personalised advertising. By continuing to browse you accept
our cookie policy.</p><button>Accept all cookies</button><button>Manage settings</button></div>"""
RELATED = """<div class="related-links"><h3>Related stories</h3><ul>
<li><a href="/a">Markets tumble as central bank signals further rate rises</a></li>
<li><a href="/b">Opposition leader calls for snap election after budget vote</a></li>
<li><a href="/c">Ten things we learned from the summit in Geneva</a></li></ul></div>"""
NEWSLETTER = """<div class="newsletter-signup"><h4>Get the morning briefing</h4><p>Sign up for
our free newsletter and get the top stories delivered to your inbox every weekday.</p>
<form><input type="email"><button>Subscribe</button></form></div>"""
SHARE = """<div class="share-tools"><a href="#">Share on Facebook</a> <a href="#">Share on
Twitter</a> <a href="#">Email this story</a></div>"""
COMMENTS = """<section id="comments" class="comments"><h3>Comments (3)</h3>
<div class="comment"><span class="comment-author">bluefox77</span><p>This is an outrage and
everyone involved should resign immediately, frankly.</p></div>
<div class="comment"><span class="comment-author">Margaret H.</span><p>I have lived near the
port for forty years and never seen anything like it.</p></div></section>"""
FOOTER = """<footer class="site-footer"><p>© 2023 The Harbour Gazette. All rights reserved.</p>
<ul><li><a href="/about">About us</a></li><li><a href="/privacy">Privacy policy</a></li>
<li><a href="/contact">Contact</a></li></ul></footer>"""
SCRIPT = """<script>window.dataLayer = window.dataLayer || []; function track(e) {
dataLayer.push({event: e, page: "article"}); } track("view");</script>"""

PORT = (
    "Customs officers in Rotterdam seized 4.2 tonnes of cocaine hidden in a shipment of "
    "bananas from Ecuador on Tuesday, the largest haul at the port this year.",
    "The drugs were found in 180 sports bags stacked behind the fruit in three refrigerated "
    "containers, the Dutch public prosecutor's office said in a statement.",
    "Investigators believe the shipment was organised by a network operating between "
    "Guayaquil and Antwerp, and two men were arrested in Breda on Wednesday.",
    "The street value of the cargo was estimated at more than 300 million euros.",
)
SANCTIONS = (
    "The U.S. Treasury on Thursday imposed sanctions on Ashot Mkrtychev, a Slovakian citizen "
    "accused of brokering weapons deals with North Korea.",
    "Officials said Mkrtychev worked with North Korean officials to arrange the transfer of "
    "more than two dozen types of weapons and munitions between the end of 2022 and early "
    "2023.",
    "In exchange, Russia would send commercial aircraft, raw materials and commodities to "
    "Pyongyang, according to the Treasury statement.",
    "Mkrtychev could not be reached for comment.",
)
FLOODS = (
    "Heavy rain caused the river Severn to burst its banks in Shrewsbury on Sunday, "
    "flooding dozens of homes and closing the town's main bridge.",
    "The Environment Agency issued three severe flood warnings, meaning a danger to life, "
    "and urged residents near the Frankwell quay to leave their houses.",
    "Volunteers from the local rowing club helped firefighters move elderly residents to a "
    "leisure centre that was opened as a shelter overnight.",
    "Forecasters expect the water to peak on Monday evening before falling slowly.",
)
TRIAL = (
    "A former finance minister of Mozambique went on trial in New York on Monday, accused of "
    "taking bribes in a two billion dollar loan scandal.",
    "Prosecutors told the jury that Manuel Chang received seven million dollars in exchange "
    "for approving state guarantees for loans to three state companies.",
    "Chang's lawyers said he had acted within his powers and that the money never reached "
    "him.",
    "The trial is expected to last four weeks.",
)
ELECTION = (
    "Finland's centre-right National Coalition Party won the most seats in Sunday's "
    "parliamentary election, narrowly ahead of the nationalist Finns Party.",
    "Prime Minister Sanna Marin conceded defeat late on Sunday night, after her Social "
    "Democrats finished third despite gaining seats.",
    "Coalition leader Petteri Orpo is now expected to begin talks on forming a government, "
    "a process that can take several weeks in Finland.",
    "Turnout was 71.9 percent, according to the justice ministry.",
)
MINE = (
    "Rescue teams in northern Chile reached the 14 miners trapped underground at the El "
    "Toqui zinc mine on Friday, two days after a tunnel collapsed.",
    "All the men were alive and were being brought to the surface one at a time in a "
    "capsule, the mining minister told reporters at the site.",
    "The company operating the mine said it had suspended work while engineers inspected "
    "the remaining tunnels.",
)


def _p(paragraphs: tuple[str, ...]) -> str:
    return "\n".join(f"<p>{p}</p>" for p in paragraphs)


def _head(title: str, extra: str = "") -> str:
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta name="viewport" content="width=device-width">{extra}'
            '<link rel="stylesheet" href="/s.css"><style>body{font-family:serif}</style>'
            "</head>")


def _article_tag() -> Page:
    """Everything in `<article>` with a `<time datetime>`, the byline a `span.author`; the
    page chrome in semantic tags."""
    html = (_head("Record cocaine haul found in banana boxes at Rotterdam - The Harbour Gazette")
            + f"<body><header><div class=logo>The Harbour Gazette</div>{NAV}</header>{COOKIES}"
            + "<main><article><h1>Record cocaine haul found in banana boxes at Rotterdam</h1>"
            + '<div class="byline">By <span class="author">Jan de Vries</span>, '
            + '<time datetime="2023-04-04T09:12:00+02:00">4 April 2023</time></div>'
            + f"{SHARE}<figure><img src=a.jpg><figcaption>Containers at the port. Photo: "
            + "Reuters</figcaption></figure>"
            + _p(PORT) + f"</article>{RELATED}{COMMENTS}</main>{FOOTER}{SCRIPT}</body></html>")
    return Page("article-tag", html, "Record cocaine haul found in banana boxes at Rotterdam",
                "2023-04-04", "Jan de Vries", None, PORT)


def _story_body() -> Page:
    """No `<article>`: the story in `div.story-body`, dates and author in meta tags, the
    page's chrome in plain divs (no `<nav>`, `<aside>` or `<footer>` to go by)."""
    html = (_head("US sanctions Slovakian arms broker over North Korea deals | World News Daily",
                  '<meta property="og:title" content="US sanctions Slovakian arms broker over '
                  'North Korea deals"><meta property="og:site_name" content="World News Daily">'
                  '<meta property="article:published_time" content="2023-03-30T17:45:00Z">'
                  '<meta name="author" content="Priya Raman">'
                  '<meta property="og:url" content="https://wnd.example/world/sanctions">')
            + '<body><div id="top-bar"><div class="menu"><a href="/">World News Daily</a> '
            + '<a href="/world">World</a> <a href="/politics">Politics</a> <a href="/tech">'
            + 'Technology</a> <a href="/opinion">Opinion</a></div></div>'
            + '<div class="cookie-notice"><p>This site uses cookies. Read our cookie policy to '
            + "find out more about how we use them and how to change your settings.</p>"
            + '<a href="#">OK</a></div><div id="page"><div class="headline-block"><h1>US '
            + "sanctions Slovakian arms broker over North Korea deals</h1></div>"
            + '<div class="story-body">' + _p(SANCTIONS) + "</div>"
            + f'<div class="sidebar">{NEWSLETTER}{RELATED}</div></div>'
            + '<div id="footer"><p>World News Daily is not responsible for the content of '
            + 'external sites.</p><a href="/terms">Terms of use</a></div>'
            + f"{SCRIPT}</body></html>")
    return Page("story-body", html, "US sanctions Slovakian arms broker over North Korea deals",
                "2023-03-30", "Priya Raman", "World News Daily", SANCTIONS)


def _json_ld() -> Page:
    """Metadata only in JSON-LD (`NewsArticle`: headline, datePublished, author); `<title>`
    carries the site's name; the text in `div.article-content`."""
    ld = {"@context": "https://schema.org", "@type": "NewsArticle",
          "headline": "Severn bursts its banks in Shrewsbury as hundreds told to leave",
          "datePublished": "2024-01-07T08:30:00+00:00", "dateModified": "2024-01-08T10:00:00Z",
          "author": [{"@type": "Person", "name": "Tom Hughes"}],
          "publisher": {"@type": "Organization", "name": "Shropshire Star Online"}}
    html = (_head("Severn bursts its banks in Shrewsbury as hundreds told to leave | "
                  "Shropshire Star Online",
                  f'<script type="application/ld+json">{json.dumps(ld)}</script>')
            + f"<body>{COOKIES}<div class=wrapper>{NAV}<div class=content>"
            + "<h1 class=title>Severn bursts its banks in Shrewsbury as hundreds told to leave"
            + "</h1>" + f'{SHARE}<div class="article-content">{_p(FLOODS)}</div>'
            + f"{NEWSLETTER}<aside>{RELATED}</aside></div></div>{FOOTER}</body></html>")
    return Page("json-ld", html,
                "Severn bursts its banks in Shrewsbury as hundreds told to leave",
                "2024-01-07", "Tom Hughes", "Shropshire Star Online", FLOODS)


def _comments_in_article() -> Page:
    """`<article>` that also holds the related links, the newsletter box and the reader
    comments (as many CMSs make it); the date in `<time datetime>` only, the author in
    `span.author` only."""
    html = (_head("Mozambique ex-minister goes on trial in New York over loans scandal")
            + f"<body><header>{NAV}</header><article class=post>"
            + "<h1>Mozambique ex-minister goes on trial in New York over loans scandal</h1>"
            + '<p class="meta">By <span class="author">Lena Okafor</span> | '
            + '<time datetime="2024-07-15">15 July 2024</time></p>'
            + f"<div class=entry>{_p(TRIAL)}</div>{SHARE}{NEWSLETTER}{RELATED}{COMMENTS}"
            + f"</article>{FOOTER}{SCRIPT}</body></html>")
    return Page("comments-in-article", html,
                "Mozambique ex-minister goes on trial in New York over loans scandal",
                "2024-07-15", "Lena Okafor", None, TRIAL)


def _main_and_banner() -> Page:
    """The story in `<main>` among share bars and a newsletter box, Open Graph and
    `article:` meta tags, a large cookie banner before everything."""
    html = (_head("Finland election: Orpo's party narrowly wins",
                  '<meta property="og:title" content="Finland election: Orpo\'s party narrowly '
                  'wins"><meta property="og:site_name" content="Nordic Wire">'
                  '<meta property="article:published_time" content="2023-04-02T21:40:00+03:00">'
                  '<meta property="article:author" content="Anna Virtanen">')
            + f"<body>{COOKIES}{COOKIES.replace('cookie-banner', 'cookie-2')}<header>{NAV}"
            + "</header><main><h1>Finland election: Orpo's party narrowly wins</h1>"
            + f"{SHARE}{_p(ELECTION)}{SHARE}{NEWSLETTER}</main><aside>{RELATED}</aside>"
            + f"{FOOTER}</body></html>")
    return Page("main-and-banner", html, "Finland election: Orpo's party narrowly wins",
                "2023-04-02", "Anna Virtanen", "Nordic Wire", ELECTION)


def _wordpress() -> Page:
    """A WordPress-like blog post: `div.entry-content`, `span.author vcard`, `time.entry-date`,
    the sidebar's widgets, and the comment form."""
    html = (_head("Chile: all 14 trapped miners reached alive at El Toqui &#8211; Andes Report")
            + '<body class="post-template"><div id="masthead"><p class="site-title">'
            + '<a href="/">Andes Report</a></p>' + NAV + "</div>"
            + '<div id="primary"><div class="post"><h1 class="entry-title">Chile: all 14 '
            + "trapped miners reached alive at El Toqui</h1>"
            + '<div class="entry-meta">Posted on <time class="entry-date published" '
            + 'datetime="2023-11-10T14:05:00-03:00">November 10, 2023</time> by '
            + '<span class="author vcard"><a class="url fn n" href="/author/mr">Miguel Rojas'
            + "</a></span></div>" + f'<div class="entry-content">{_p(MINE)}</div>'
            + '<div class="entry-footer">Posted in <a href="/cat/chile">Chile</a>, '
            + '<a href="/cat/mining">Mining</a></div></div>'
            + f'<div id="respond"><h3>Leave a reply</h3><form>{NEWSLETTER}</form></div></div>'
            + f'<div id="secondary" class="widget-area">{RELATED}</div>{FOOTER}</body></html>')
    return Page("wordpress", html, "Chile: all 14 trapped miners reached alive at El Toqui",
                "2023-11-10", "Miguel Rojas", None, MINE)


def _undated() -> Page:
    """No date anywhere but the copyright line of the footer: the day is not known (a
    reader that guesses from free text makes it 1 January)."""
    html = (_head("Floods close the main bridge in Shrewsbury")
            + f"<body><header>{NAV}</header><article><h1>Floods close the main bridge in "
            + f"Shrewsbury</h1>{_p(FLOODS)}</article>{RELATED}{FOOTER}</body></html>")
    return Page("undated", html, "Floods close the main bridge in Shrewsbury", None, None,
                None, FLOODS)


PAGES = (_article_tag(), _story_body(), _json_ld(), _comments_in_article(),
         _main_and_banner(), _wordpress(), _undated())
