"""The dashboard's test city: its admin and the groups of young people seeded for it."""

from __future__ import annotations

from tests.support.dashboard_seed import Group

ADMIN = 4242


# 22 onboarded: 12 in Eastfield (decile 1), 7 in the Town Centre (decile 4), 3 in Westwood
# (decile 8). 15 of them redeemed a code with Pixel Forge; 2 more people with Foundry Gallery.
GROUPS = [
    Group(12, "kf4", ("music", "coding"), 3, "pixel-forge", hours=2.0),
    Group(7, "kf1", ("art", "music"), 10),
    Group(3, "kf6", ("sport",), 20, "pixel-forge", hours=1.5),
    Group(2, "kf2", ("art",), 40, "foundry-gallery", hours=3.0),
]

# Partner names an imported feed might carry that a spreadsheet would run as formulas (OWASP's
# list), each partner reaching one young person so its name lands in the partners table.
FORMULA_NAMES = {
    "kensalfield-museum": '=HYPERLINK("http://x","y")',
    "crumb-and-co": "+1",
    "ashby-harriers": "@SUM(A1)",
    "parks-nature-trust": "-2+3",
    "kingsmead-hub": "\t=1+1",
    "lyceum-theatre": "\r=1+1",
}
FORMULA_GROUPS = [Group(1, "kf4", ("music",), 3, slug) for slug in FORMULA_NAMES]
NEUTRALISED = {f"'{name}" for name in FORMULA_NAMES.values()}
