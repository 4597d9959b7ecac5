"""SCIM 2.0 provisioning (RFC 7643/7644) per group: tokens, users, groups and deprovisioning.

A group (or a subsidiary whose parent governs it decentralized) holds SCIM bearer tokens; its
directory (Entra ID, Okta, a Chinese directory's connector) creates, changes and removes
platform users through ``/scim/v2`` and maps its groups onto ipgov roles in the tenants the
token reaches. The resource models, filters, PATCH operations, list responses and errors are
``scim2-models``; the storage is ours (``models``), and so are the HTTP routes
(``ipgov.web.scim``) and the GraphQL fields for tokens (``ipgov.graphql.scim``).
"""
