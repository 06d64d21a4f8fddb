"""Messages to people: the outbox a mail sender delivers."""
