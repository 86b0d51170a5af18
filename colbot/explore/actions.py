"""What the buttons on recommendation cards do, as the short names their button data carries.

Other features put these buttons on their own messages (a reminder's "can't make it").
"""

EXPLORE = "x"
SAVE = "sv"
REMIND = "rm"
DISMISS = "no"
REASON = "why"
MORE_LIKE = "ml"
# ◀ ▶ on the one paged message (COLBOT_EXPLORE_LAYOUT=paged): turns it to another idea.
TURN = "pg"
FILTER = "fp"
SURPRISE = "sp"
UNSAVE = "us"
CANT_MAKE_IT = "cm"
