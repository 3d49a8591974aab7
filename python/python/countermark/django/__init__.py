"""countermark for Django and Django REST framework.

Add ``"countermark.django"`` to ``INSTALLED_APPS``, then pick what a service needs:

* DRF: the classes of :mod:`countermark.django.drf` (one per scheme) and ``ApiKeyRateThrottle``;
* plain Django: :class:`~countermark.django.middleware.CountermarkMiddleware` with
  :class:`~countermark.django.backends.CountermarkBackend`;
* signed URLs: :func:`~countermark.django.decorators.signed_url_required`, :func:`~countermark.django.decorators.sign_url`,
  ``{% load countermark %}{% signed_url ... %}`` and the login view of :mod:`countermark.django.views`;
* keys: the :class:`~countermark.django.models.ApiKey` and :class:`~countermark.django.models.PublicKey` (PEM or
  OpenSSH) models, :class:`~countermark.django.models.JwksEndpoint` (JWKS URLs users trust, fetched by
  :mod:`countermark.django.jwks`), their admin, the JWKS views of :mod:`countermark.django.views`, and the
  ``countermark_*`` management commands;
* the names ska's users know: ``@validate_signed_request()``, ``{% sign_url %}``, ``{% provider_sign_url %}``,
  ``SignedRequestRequired`` and ``ProviderSignedRequestRequired``.

Settings live in one ``COUNTERMARK`` dict (:mod:`countermark.django.conf` lists every key and default);
``manage.py check`` reports bad values.
"""
