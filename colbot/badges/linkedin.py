"""LinkedIn's add-to-profile link, filled in, so a badge lands under Licenses & certifications."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"
CERTIFICATION_TASK = "CERTIFICATION_NAME"


def add_to_profile_url(
    *, name: str, organisation: str, issued: datetime, cert_url: str, cert_id: str
) -> str:
    """The URL that opens LinkedIn's 'Add licence or certification' form already filled in."""
    query = {
        "startTask": CERTIFICATION_TASK,
        "name": name,
        "organizationName": organisation,
        "issueYear": f"{issued.year}",
        "issueMonth": f"{issued.month}",
        "certUrl": cert_url,
        "certId": cert_id,
    }
    return f"{ADD_TO_PROFILE}?{urlencode(query)}"
