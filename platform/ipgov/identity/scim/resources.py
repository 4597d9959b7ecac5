"""What the SCIM service describes and serves, in ``scim2-models`` terms.

The User resource is RFC 7643's with the enterprise extension, and one constraint of ours,
published on ``/Schemas``: ``emails`` (with a ``value``) is required, since every platform user
has an e-mail address (notices, sign-in links). Groups are RFC 7643's. Filtering, PATCH and
index pagination are supported; bulk, sorting, ETags and password changes are not (the
directory never sends passwords: people sign in through the group's identity provider).
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from pydantic import EmailStr
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Email,
    EnterpriseUser,
    ETag,
    Filter,
    Group,
    Pagination,
    Patch,
    Required,
    ResourceType,
    ScimProvider,
    ServiceProviderConfig,
    Sort,
    User,
)

__all__ = ["GROUP_MODEL", "USER_MODEL", "ScimEmail", "ScimUserResource", "parametrize",
           "provider"]



def parametrize(generic: Any, model: Any) -> Any:
    """``generic[model]`` for a model known only at run time (``scim2-models`` builds the
    class then: a resource with an extension, a ``PatchOp`` or ``ListResponse`` of it)."""
    return generic[model]


class ScimEmail(Email):
    """An e-mail address; its ``value`` is required (``/Schemas`` says so)."""

    value: Annotated[EmailStr | None, Required.true] = None


class ScimUserResource(User[Any]):
    """RFC 7643's User with ``emails`` required (a platform user has an e-mail address)."""

    emails: Annotated[list[ScimEmail] | None, Required.true] = None  # type: ignore[assignment]  # narrowed to required e-mails


USER_MODEL: Any = parametrize(ScimUserResource, EnterpriseUser)
GROUP_MODEL: Any = Group


@cache
def provider(max_page_size: int) -> ScimProvider:
    """The service description: resource types, schemas and capabilities."""
    config = ServiceProviderConfig(
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=max_page_size),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        pagination=Pagination(index=True, cursor=False, default_page_size=max_page_size,
                              max_page_size=max_page_size),
        authentication_schemes=[AuthenticationScheme(
            type=AuthenticationScheme.Type.oauthbearertoken, name="SCIM bearer token",
            description="A token of the group, made with the createScimToken mutation: "
                        "'Authorization: Bearer ipgovscim_...'",
            primary=True)],
    )
    return ScimProvider(
        models=[ScimUserResource, EnterpriseUser, Group],
        resource_types=[ResourceType.from_resource(USER_MODEL),
                        ResourceType.from_resource(GROUP_MODEL)],
        config=config)
