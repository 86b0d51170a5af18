"""Pure logic with no I/O that several features share: text, passion matching, geo, quiet hours."""
