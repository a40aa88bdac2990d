"""The lifecycle radar: what is about to break, between changes (`fedreg watch`)."""
