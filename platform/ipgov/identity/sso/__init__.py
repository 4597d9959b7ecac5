"""Single sign-on through a group's identity providers (OpenID Connect now; SAML later).

A group administrator registers providers (``providers``); subsidiaries governed centrally or
in hybrid mode use their group's, a decentralized one registers its own (``reach``). Sign-in
runs the authorization code flow with PKCE and a nonce (``oidc``, ``flow``), maps the verified
claims to a user and memberships that never leave the provider's tree (``mapping``), and ends,
like every sign-in, with ``ipgov.identity.sessions.open_session``.
"""
