"""Rounds and communities: confirmed opt-in, pause, leave, invite links, several communities."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.helpers import log_in, submit
from tests.web.members.world import PASSWORD, community_with, open_meetup, person
from webapp.extensions import db
from webapp.models import Member, Membership, OptIn
from webapp.services import joining, optins, pauses
from webapp.services.communities import create_community, rotate_invite_code
from webapp.services.errors import ServiceError


def _optins() -> int:
    return db.session.scalar(select(func.count()).select_from(OptIn))


def test_an_unconfirmed_member_cannot_opt_in(app):  # type: ignore[no-untyped-def]
    sam = person("Sam")
    community = community_with([sam])
    meetup = open_meetup(community)
    sam.email_confirmed_at = None
    db.session.commit()
    with pytest.raises(ServiceError, match="confirm your email"):
        optins.opt_in(sam, meetup)


def test_pause_withdraws_opt_ins_blocks_new_ones_and_resumes(app, client):  # type: ignore[no-untyped-def]
    sam = person("Sam")
    meetup = open_meetup(community_with([sam]))
    log_in(client, sam.email, PASSWORD)
    submit(client, "/me", {}, action=f"/meetups/{meetup.id}/opt-in")
    assert _optins() == 1
    response = submit(client, "/me", {"weeks": "4"}, action="/me/pause", follow_redirects=True)
    assert "Matching is paused until" in response.get_data(as_text=True)
    assert _optins() == 0
    db.session.expire_all()
    assert pauses.is_paused(sam) and pauses.paused_member_ids([sam.id]) == {sam.id}
    refused = submit(
        client, "/me", {}, action=f"/meetups/{meetup.id}/opt-in", follow_redirects=True
    )
    assert "You paused matching" in refused.get_data(as_text=True) and _optins() == 0
    submit(client, "/me", {}, action="/me/resume")
    db.session.expire_all()
    assert not pauses.is_paused(sam)
    submit(client, "/me", {}, action=f"/meetups/{meetup.id}/opt-in")
    assert _optins() == 1


@pytest.mark.parametrize("weeks", [0, 27, -1])
def test_pause_length_is_checked(app, weeks):  # type: ignore[no-untyped-def]
    with pytest.raises(ServiceError):
        pauses.pause(person("Sam"), weeks)


def test_join_by_invite_link_and_old_links_stop_working(app, client):  # type: ignore[no-untyped-def]
    olivia, sam = person("Olivia"), person("Sam")
    community = create_community(olivia, "Harbour")
    code = rotate_invite_code(community, olivia)
    log_in(client, sam.email, PASSWORD)
    page = client.get(f"/join/{code}").get_data(as_text=True)
    assert "invited to Harbour" in page
    submit(client, f"/join/{code}", {})
    assert db.session.scalar(select(func.count()).select_from(Membership)) == 2
    rotate_invite_code(community, olivia)
    assert client.get(f"/join/{code}").status_code == 404
    with pytest.raises(ServiceError, match="does not work"):
        joining.join_by_invite(sam, code)


def test_an_invite_is_remembered_through_sign_up(app, client):  # type: ignore[no-untyped-def]
    from tests.helpers import sign_up

    olivia = person("Olivia")
    community = create_community(olivia, "Harbour")
    code = rotate_invite_code(community, olivia)
    client.get(f"/join/{code}")
    sign_up(client, "new@example.org", "Nia")  # confirming the address joins the community
    newcomer = db.session.scalar(select(Member).where(Member.email == "new@example.org"))
    assert db.session.scalar(
        select(Membership.id).where(
            Membership.member_id == newcomer.id, Membership.community_id == community.id
        )
    )


def test_membership_in_several_communities_and_leaving_one(app, client):  # type: ignore[no-untyped-def]
    sam = person("Sam")
    first = community_with([sam])
    second = create_community(person("Olga"), "Library Circle")
    log_in(client, sam.email, PASSWORD)
    submit(client, f"/c/{second.slug}", {}, action=f"/c/{second.slug}/join")
    page = client.get("/me").get_data(as_text=True)
    assert "Harbour Friends" in page and "Library Circle" in page
    meetup = open_meetup(first)
    optins.opt_in(sam, meetup)
    left = submit(client, f"/c/{first.slug}", {}, action=f"/c/{first.slug}/leave")
    assert "You left Harbour Friends" in client.get(left.headers["Location"]).get_data(as_text=True)
    assert _optins() == 0
    page = client.get("/me").get_data(as_text=True)
    assert "Harbour Friends" not in page and "Library Circle" in page


def test_the_only_organizer_cannot_leave(app):  # type: ignore[no-untyped-def]
    olivia = person("Olivia")
    community = create_community(olivia, "Harbour")
    with pytest.raises(ServiceError, match="only organizer"):
        joining.leave(olivia, community)
