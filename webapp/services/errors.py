"""The one error type services raise for input a person can correct."""


class ServiceError(ValueError):
    """A rule was broken by the caller's input; the message is safe to show to them.

    `field` names the form field at fault, when there is one, so views can show the
    message next to it.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
