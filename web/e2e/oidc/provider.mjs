// A real OpenID provider for the single sign-on tests: the certified `oidc-provider` package,
// configured from a JSON file (argument 1): its issuer and port, its clients, and the people
// it knows (login name -> the claims of their ID token). Its own development pages sign a
// person in with any password and ask for consent; clients listed in `shortCodeClients` get
// authorization codes that live one second (for the expired-code test), those in
// `shortIdTokenClients` ID tokens that live one second (the expired-token test). It prints
// "listening <issuer>" once it accepts connections.
import { readFileSync } from "node:fs";
import Provider from "oidc-provider";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const accounts = config.accounts;
const shortCodes = new Set(config.shortCodeClients ?? []);
const shortIdTokens = new Set(config.shortIdTokenClients ?? []);

const provider = new Provider(config.issuer, {
  clients: config.clients.map((c) => ({
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_basic",
    ...c,
  })),
  async findAccount(_ctx, id) {
    const claims = accounts[id];
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name"],
    groups: ["groups"],
  },
  scopes: ["openid", "email", "profile", "groups"],
  conformIdTokenClaims: false, // the requested claims ride in the ID token itself
  pkce: { required: () => true },
  cookies: { keys: ["ipgov-test-provider-cookie-key"] },
  ttl: {
    AuthorizationCode: (_ctx, _token, client) => (shortCodes.has(client.clientId) ? 1 : 60),
    IdToken: (_ctx, _token, client) => (shortIdTokens.has(client.clientId) ? 1 : 300),
    Interaction: 600,
    Session: 600,
    Grant: 600,
  },
});
provider.proxy = false;

provider.listen(config.port, "127.0.0.1", () => {
  console.log(`listening ${config.issuer}`);
});
