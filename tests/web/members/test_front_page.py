"""The front page: what happens, how groups are made, the communities one can join (searched
on the server, without JavaScript) and privacy in plain words; odd input never breaks it."""

from __future__ import annotations

import re

import pytest

from tests.helpers import sign_up
from webapp.extensions import db
from webapp.models import Member
from webapp.services.communities import create_community, join
from webapp.services.community_search import MAX_QUERY, PER_PAGE


def _organizer(email: str = "olivia@example.org") -> Member:
    member = Member(email=email, password_hash="x", display_name="Olivia")
    db.session.add(member)
    db.session.commit()
    return member


@pytest.fixture()
def communities(app):  # type: ignore[no-untyped-def]
    """Three communities; the book club has two members, the others one."""
    olivia = _organizer()
    books = create_community(olivia, "Harbour Book Club", "We read novels and talk about them.")
    create_community(olivia, "Riverside Runners", "Easy 5 km runs along the river.")
    chess = create_community(olivia, "Chess at Noon", "Lunchtime chess, all levels welcome.")
    chess.city = "Lyon"
    ana = _organizer("ana@example.org")
    join(ana, books)
    db.session.commit()
    return books, chess


def _listed(html: str) -> list[str]:
    """Names of the communities the page lists, in order."""
    return re.findall(r'<h3><a href="/c/[^"]+">([^<]+)</a></h3>', html)


def test_front_page_explains_the_four_things(client, communities):  # type: ignore[no-untyped-def]
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for heading in (
        "What happens",
        "How groups are made, and why",
        "Communities you can join",
        "Your privacy, in plain words",
    ):
        assert f">{heading}</h2>" in html
    steps = re.search(r'<ol class="steps">(.*?)</ol>', html, re.S).group(1)
    assert steps.count("<li>") == 6
    assert "3 to 6" in steps and "meet again" in steps
    # the picture: inline SVG named by its title and description, plus a caption
    assert 'role="img" aria-labelledby="groups-title groups-desc"' in html
    assert '<title id="groups-title">How Hearth makes groups</title>' in html
    assert "<figcaption>" in html
    # privacy says what the app does: organizers never see individual ratings; deletion
    assert "Organizers never see the rating you give" in html
    assert "delete your account" in html
    # every community is listed, largest first, with its member count and city
    assert _listed(html) == ["Harbour Book Club", "Chess at Noon", "Riverside Runners"]
    assert "3 communities." in html and "2 members" in html and "Lyon · 1 member" in html


def test_front_page_uses_only_its_own_stylesheets(client, communities):  # type: ignore[no-untyped-def]
    html = client.get("/").get_data(as_text=True)
    assert "<script" not in html and "style=" not in html and "<style" not in html
    assert '<link rel="stylesheet" href="/static/landing.css">' in html
    with client.get("/static/landing.css") as css:
        assert css.status_code == 200 and ".groups-diagram" in css.get_data(as_text=True)


def test_signed_in_members_go_to_their_home(client, communities):  # type: ignore[no-untyped-def]
    sign_up(client, "sam@example.org")
    response = client.get("/?q=book")
    assert response.status_code == 302 and response.headers["Location"].endswith("/me")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("book", ["Harbour Book Club"]),
        ("BOOK", ["Harbour Book Club"]),
        ("novels", ["Harbour Book Club"]),  # the description counts
        ("lyon", ["Chess at Noon"]),  # and the city
        ("  river   runs ", ["Riverside Runners"]),  # every word must match, anywhere
        ("river book", []),
        ("e", ["Harbour Book Club", "Chess at Noon", "Riverside Runners"]),
    ],
)
def test_search_filters_by_name_description_and_city(client, communities, query, expected):  # type: ignore[no-untyped-def]
    html = client.get("/", query_string={"q": query}).get_data(as_text=True)
    assert _listed(html) == expected
    shown = " ".join(query.split())
    assert f'name="q" value="{shown}"' in html
    if expected:
        noun = "community matches" if len(expected) == 1 else "communities match"
        assert f"{len(expected)} {noun} “{shown}”." in html
    else:
        assert f"0 communities match “{shown}”." in html
        assert "Nothing found." in html
    assert 'href="/#communities">Show all communities</a>' in html


def test_empty_state_when_there_are_no_communities(client):  # type: ignore[no-untyped-def]
    html = client.get("/").get_data(as_text=True)
    assert _listed(html) == []
    assert "There are no communities yet." in html


def test_front_page_lists_what_the_communities_page_lists(client, communities):  # type: ignore[no-untyped-def]
    """No community is hidden: every community is public (the invite link is a shortcut)."""
    books, _ = communities
    books.invite_code = "a-secret-code"
    db.session.commit()
    front = set(_listed(client.get("/").get_data(as_text=True)))
    listing = client.get("/communities").get_data(as_text=True)
    assert front == set(re.findall(r'<h2><a href="/c/[^"]+">([^<]+)</a></h2>', listing))


def test_wildcards_are_taken_literally(client, communities):  # type: ignore[no-untyped-def]
    for query in ("%", "_", "\\", "%_%", "Book%"):
        html = client.get("/", query_string={"q": query}).get_data(as_text=True)
        assert _listed(html) == [], query
    olivia = db.session.query(Member).filter_by(email="olivia@example.org").one()
    create_community(olivia, "100% Walkers", "Walk_and_talk")
    assert _listed(client.get("/?q=%25").get_data(as_text=True)) == ["100% Walkers"]
    assert _listed(client.get("/?q=k_a").get_data(as_text=True)) == ["100% Walkers"]


def test_a_very_long_query_is_shortened_and_said_so(client, communities):  # type: ignore[no-untyped-def]
    response = client.get("/", query_string={"q": "book " + "x" * 10_000})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "we looked for its first 100 characters" in html
    value = re.search(r'name="q" value="([^"]*)"', html).group(1)
    assert len(value) <= MAX_QUERY and value.startswith("book x")
    assert _listed(html) == []


@pytest.mark.parametrize(
    "query",
    [
        "<script>alert(1)</script>",
        "\"'><img src=x onerror=alert(1)>",
        "'; DROP TABLE communities; --",
        "☕ café 東京 مرحبا",
        "e\u0301\u200b\u202e",
        "{{ 7*7 }} {% if %}",
        " ".join(["book"] * 500),
    ],
)
def test_odd_queries_are_escaped_and_never_break_the_page(client, communities, query):  # type: ignore[no-untyped-def]
    response = client.get("/", query_string={"q": query})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "{{ 7*7 }}" not in query or 'value="{{ 7*7 }} {% if %}"' in html  # not a template
    assert "Communities you can join" in html


def test_input_the_app_refuses_is_a_400_not_a_500(client, communities):  # type: ignore[no-untyped-def]
    assert client.get("/?q=a%00b").status_code == 400  # the input guard: NUL bytes
    assert client.get("/", query_string={"q": "x" * 30_000}).status_code == 400  # too long


def test_pages_of_results(client):  # type: ignore[no-untyped-def]
    olivia = _organizer()
    for number in range(PER_PAGE * 2 + 3):
        create_community(olivia, f"Circle {number:02d}", "A walking group")
    first = client.get("/?q=walking").get_data(as_text=True)
    assert f"{PER_PAGE * 2 + 3} communities match" in first
    assert len(_listed(first)) == PER_PAGE and "Page 1 of 3" in first
    assert 'rel="next" href="/?q=walking&amp;page=2#communities"' in first
    assert 'rel="prev"' not in first
    last = client.get("/?q=walking&page=3").get_data(as_text=True)
    assert _listed(last) == ["Circle 20", "Circle 21", "Circle 22"]
    assert 'rel="prev" href="/?q=walking&amp;page=2#communities"' in last
    assert 'rel="next"' not in last
    everyone = client.get("/?page=2").get_data(as_text=True)
    assert 'rel="next" href="/?page=3#communities"' in everyone  # no empty q= in links
    # a page that is not a number, below 1 or past the end shows the nearest page there is
    for page, shown in (("abc", 1), ("-4", 1), ("0", 1), ("99", 3), (str(10**30), 3)):
        response = client.get(f"/?q=walking&page={page}")
        assert response.status_code == 200, page
        assert f"Page {shown} of 3" in response.get_data(as_text=True), page


def test_the_front_page_costs_two_queries(client, communities, sql_log):  # type: ignore[no-untyped-def]
    """A count and one page of rows with member counts, however many communities there are."""
    client.get("/?q=e")
    assert len([s for s in sql_log if s.sql.lstrip().upper().startswith("SELECT")]) == 2
