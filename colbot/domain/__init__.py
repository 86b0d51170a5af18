"""Pure logic with no I/O: matching, ranking, codes, badges, time rules."""
