"""A partner's /stats says which pathways, and which of their steps, its sessions count towards."""

from __future__ import annotations

from colbot.app import Colbot
from colbot.pathways.check import Offer
from colbot.pathways.definitions import Pathway, Pathways, Requirement, Step
from colbot.pathways.towards import Towards, counts_towards
from tests.support.staff import staff_talker
from tests.support.talk import Talk


async def test_an_employer_sees_the_pathways_its_sessions_count_towards(
    channel_colbot: Colbot, talk: Talk
) -> None:
    staff = await staff_talker(channel_colbot, talk, "pathway-staff", "pixel-forge")
    text = (await staff.say("/stats"))[0].text
    assert "Your sessions count towards these pathways:" in text
    # Its sessions are about coding, gaming and making, and it is an employer.
    assert "Game Maker (steps 1, 2, 3), Into Enterprise (step 1)" in text, text
    assert "Into Film" not in text and "First Badge" not in text


def test_only_chosen_pathways_with_a_step_a_session_meets_are_named() -> None:
    def plain(name: str, kind: str, target: str) -> Step:
        return Step(name, (Requirement(name, kind, target),))

    film = Pathway(
        "into-film",
        "Into Film",
        "Film.",
        "into-film",
        (
            plain("Film", "about", "film"),
            Step(
                "Two",
                (Requirement("Drama", "about", "drama"), Requirement("Art", "about", "art")),
                2,
            ),
            plain("Hours", "hours", ""),
            plain("College", "attend", "college"),
        ),
        ("film",),
    )
    everyone = Pathway(
        "first-badge",
        "First Badge",
        "Any.",
        "first-badge",
        (Step("Any", (Requirement("Any", "badges", count=1),)),),
        everyone=True,
    )
    pathways = Pathways({p.id: p for p in (film, everyone)})
    college_art = Offer(None, frozenset({"art"}), "college", 2.0)
    assert counts_towards(pathways, [college_art]) == [Towards("Into Film", (2, 4))]
    assert counts_towards(pathways, [Offer(None, frozenset({"sport"}), "club", 2.0)]) == []
