"""handshake 0.2.1's exceptions, same names and hierarchy."""

__all__ = [
    "AuthTokenError",
    "ConfigError",
    "InvalidValueError",
    "InvalidTokenError",
    "TokenExpiredError",
    "TokenSignatureError",
]


class AuthTokenError(Exception):
    """Base exception used for all auth token errors."""


class ConfigError(AuthTokenError):
    """Raised when an error occurs with a configuration parameter."""


class InvalidValueError(AuthTokenError):
    """Raised when metadata used to create or verify a token is invalid."""


class InvalidTokenError(AuthTokenError):
    """Parent class for all errors that can occur when validating a token."""


class TokenExpiredError(InvalidTokenError):
    """Raised when a token has expired."""


class TokenSignatureError(InvalidTokenError):
    """Raised when a token has an invalid signature."""
