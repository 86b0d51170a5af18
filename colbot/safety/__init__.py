"""Help when something is wrong: /report and safety words, answered at once."""
