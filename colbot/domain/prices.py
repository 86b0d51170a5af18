"""What an opportunity costs one young person: the price of the offer for their age.

A partner's feed may price by age (adults £8, 11-17 £2); the catalogue keeps every offer as
`{"min_age", "max_age", "price_pence"}` (an age or price it did not give is None). Pure: given
the opportunity's offers and the person's age, never the database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

Offer = Mapping[str, int | None]


class Priced(Protocol):
    """Anything with a price chosen at import and the offers it came from."""

    @property
    def cost_pence(self) -> int: ...

    @property
    def offers(self) -> Sequence[Offer] | None: ...


def covers(offer: Offer, age: int) -> bool:
    """Whether an offer's age range takes this age; an offer without one takes everyone."""
    low, high = offer.get("min_age"), offer.get("max_age")
    return (low is None or low <= age) and (high is None or age <= high)


def price_for(opportunity: Priced, age: int | None) -> int | None:
    """The price in pence for someone this age, or None: no offer covers them ("see the provider").

    Without offers (a CSV or calendar import) or without a known age, the price chosen at
    import stands (the youngest band). An offer for their age band wins over an offer for all.
    """
    offers = opportunity.offers or ()
    if age is None or not offers:
        return opportunity.cost_pence
    fitting = [o for o in offers if covers(o, age)]
    banded = [o for o in fitting if o.get("min_age") is not None or o.get("max_age") is not None]
    chosen = banded or fitting
    return chosen[0].get("price_pence") if chosen else None
