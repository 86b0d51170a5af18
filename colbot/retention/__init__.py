"""How long colbot keeps personal data, enforced by one scheduled job."""
