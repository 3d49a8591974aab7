"""Drop-in replacements of the public APIs of the libraries countermark replaces.

- :mod:`countermark.compat.handshake`: handshake 0.2.1 (``AuthToken``, ``errors``);
- :mod:`countermark.compat.ska`: ska 1.11.2 (``sign_url``, ``validate_signed_request_data``, ``Signature``, ...).

Switch by changing an import; the tokens and URLs are byte-for-byte the same, so old and new services
interoperate while a fleet migrates.
"""
