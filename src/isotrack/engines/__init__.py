"""Pure engines: (knowledge, timeline, date) -> decisions. No clock, database or network here."""
