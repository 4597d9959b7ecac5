"""The shared fixtures build a working group on every backend."""

from tests.conftest import make_group


async def test_group_fixture_and_login_flow(platform, gql):
    group = await make_group(platform, "acme")
    data = await gql("{ tenants(first: 10) { edges { node { slug } } } }",
                     token=group.token("admin"))
    slugs = [e["node"]["slug"] for e in data["data"]["tenants"]["edges"]]
    assert slugs == ["acme", "acme-a", "acme-b", "acme-c"]
