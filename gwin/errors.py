"""The one exception type users see: a single line saying what is wrong and how to fix it."""


class GwinError(ValueError):
    """Bad input or environment; the message is one line with the fix."""
