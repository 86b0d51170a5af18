"""The ICO's Age Appropriate Design Code (the Children's Code): how colbot meets each standard.

Each standard names the tests that show it (`path::test`); tests/privacy/test_pack.py fails when
one of them is renamed or removed, so the pack never points a DPO at a test that is not there.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Standard:
    """One of the Code's 15 standards and colbot's answer to it."""

    number: int
    name: str
    how: str
    tests: tuple[str, ...]


STANDARDS: tuple[Standard, ...] = (
    Standard(
        1,
        "Best interests of the child",
        "colbot exists to find young people things to do and to record what they learn. A call "
        "for help (/report, or worrying words) is answered at once with Childline and the city's "
        "safeguarding lead, and alerts the city team. Nothing is sold and there are no adverts.",
        (
            "tests/outreach/test_admin_alerts.py::test_a_report_answers_at_once_and_tells_the_admins",
            "tests/explore/test_chat.py::test_report_and_safety_words_answer_at_once",
        ),
    ),
    Standard(
        2,
        "Data protection impact assessments",
        "`colbot privacy pack` writes this document from the code itself: every column that holds "
        "personal data declares its purpose, basis, viewers and retention beside its model, and a "
        "test fails when a column is added without one. The city's DPIA can cite it directly.",
        (
            "tests/storage/test_personal_data.py::test_every_column_colbot_keeps_is_declared",
            "tests/storage/test_personal_data.py::test_a_column_added_without_a_declaration_is_named",
            "tests/privacy/test_pack.py::test_the_pack_lists_every_personal_column",
        ),
    ),
    Standard(
        3,
        "Age appropriate application",
        "Under-13s are turned away and only counted; Telegram is offered only from the city's "
        "minimum age (COLBOT_TELEGRAM_MIN_AGE, 16 by default), younger teenagers are sent to the "
        "web chat; suggestions only ever fit the young person's age. Wording is short and plain.",
        (
            "tests/people/test_onboarding.py::test_under_13_is_refused_and_only_counted",
            "tests/people/test_onboarding.py::test_under_the_channels_minimum_age_points_to_web_chat",
            "tests/explore/test_chat.py::test_past_and_full_and_age_are_never_shown",
        ),
    ),
    Standard(
        4,
        "Transparency",
        "Before any question, colbot says what it keeps and why, with a link to /privacy: a page "
        "in plain words (what we keep, why, how long, who sees it, how to delete it, who to ask). "
        "/privacy in the chat answers with the link, and /help lists it.",
        (
            "tests/web/test_privacy_page.py::test_the_privacy_page_says_it_plainly",
            "tests/web/test_privacy_page.py::test_privacy_in_the_chat_answers_with_the_link",
            "tests/web/test_privacy_page_browser.py::test_the_privacy_page_on_a_phone",
        ),
    ),
    Standard(
        5,
        "Detrimental use of data",
        "No messages at night (quiet hours, the city's and their own); unanswered nudges stop "
        "after three; /stop pauses everything. Data is never used for advertising or sold.",
        (
            "tests/outreach/test_rules.py::test_a_message_due_at_night_waits_until_morning",
            "tests/outreach/test_rules.py::test_no_nudges_after_three_unanswered_until_they_write",
            "tests/outreach/test_preferences.py::test_stop_after_queueing_drops_what_was_still_waiting",
        ),
    ),
    Standard(
        6,
        "Policies and community standards",
        "colbot does what its privacy page says: /delete erases everything that names them, "
        "logs mask personal data, and nothing private is ever served on a public page.",
        (
            "tests/people/test_erasure.py::test_delete_leaves_nothing_that_names_them_but_the_safeguarding_record",
            "tests/test_log_redaction.py::test_each_kind_of_personal_data_is_masked",
            "tests/journeys/test_pages.py::test_nothing_private_is_ever_served",
        ),
    ),
    Standard(
        7,
        "Default settings",
        "High privacy by default: messages they did not ask for (nudges, the weekly digest, "
        "news) are off until they say yes, asked once at the end of onboarding with two equal "
        "buttons; the learning journey is private until they share it; notifications on a phone "
        "only after a tap; and search engines are kept out of journeys.",
        (
            "tests/retention/test_privacy_defaults.py::test_nudges_digest_and_news_are_off_until_they_say_yes",
            "tests/retention/test_privacy_defaults.py::test_a_profile_made_without_the_question_is_off",
            "tests/journeys/test_journeys.py::test_a_new_journey_is_private_until_shared",
            "tests/outreach/test_preferences.py::test_the_weekly_digest_is_off_by_default_and_never_empty",
            "tests/journeys/test_pages.py::test_robots_txt_keeps_journeys_out_of_search_engines",
        ),
    ),
    Standard(
        8,
        "Data minimisation",
        "Only a nickname, age, rough area and what they are into are asked for, and every question "
        "but consent can be skipped. No real name, phone, school or exact place. An e-mail only if "
        "they choose to put it on their badges.",
        (
            "tests/people/test_onboarding.py::test_every_question_can_be_skipped",
            "tests/people/test_onboarding.py::test_declining_consent_keeps_nothing",
        ),
    ),
    Standard(
        9,
        "Data sharing",
        "Partners see only counts, never who; small counts (1 to 4) are hidden on the dashboard "
        "so no one can be picked out. A journey is shown only when they share its link.",
        (
            "tests/dashboard/test_disclosure.py::test_counts_from_one_to_four_are_hidden_and_zero_and_five_are_not",
            "tests/dashboard/test_web.py::test_partner_staff_see_their_own_and_not_anothers",
        ),
    ),
    Standard(
        10,
        "Geolocation",
        "Sharing a location is optional and one-off (never live); only a rough area, rounded to "
        "about 1 km, is kept, and nothing of it is ever shown to anyone.",
        (
            "tests/channels/telegram/test_conversation.py::test_location_sharing_keeps_only_a_rough_area",
        ),
    ),
    Standard(
        11,
        "Parental controls",
        "colbot offers no parental monitoring, so a young person is never watched without "
        "knowing. Under-13s are pointed to a trusted adult instead.",
        ("tests/people/test_onboarding.py::test_under_13_is_refused_and_only_counted",),
    ),
    Standard(
        12,
        "Profiling",
        "Suggestions use only what they told colbot (passions, area, age, free times), to suggest "
        "things, and never for anything else; 'Not for me' is respected for good. The profile is "
        "theirs to see and delete.",
        (
            "tests/explore/test_chat.py::test_recommendations_follow_onboarding_and_fit_the_person",
            "tests/explore/test_chat.py::test_not_for_me_is_never_shown_again",
        ),
    ),
    Standard(
        13,
        "Nudge techniques",
        "Consent is asked with two equal buttons and 'no' keeps nothing. Messages they did not ask "
        "for are off until they say yes (two equal buttons, no pressure), can be normal, weekly "
        "or off in /settings, and stop on their own when unanswered.",
        (
            "tests/people/test_onboarding.py::test_declining_consent_keeps_nothing",
            "tests/outreach/test_notification_settings.py::test_nudges_can_be_normal_weekly_or_off",
            "tests/outreach/test_nudges.py::test_nudges_off_means_none",
        ),
    ),
    Standard(
        14,
        "Connected toys and devices",
        "Not applicable: colbot is a chat-bot on phones and browsers, with no toy or device of "
        "its own. Phone notifications come only after a tap, and stop with another.",
        ("tests/channels/webchat/test_web_push.py::test_turning_notifications_off_stops_them",),
    ),
    Standard(
        15,
        "Online tools",
        "In the chat, any time: /mydata sends a copy of everything kept, /settings and /passions "
        "change it, /delete erases it, /stop pauses messages, /report asks for help, /privacy "
        "explains it all.",
        (
            "tests/explore/test_chat.py::test_mydata_is_everything_and_delete_erases_it",
            "tests/channels/webchat/test_web_push.py::test_deleting_their_data_forgets_their_browsers",
        ),
    ),
)
