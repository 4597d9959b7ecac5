/** Passkeys in the browser: the server's WebAuthn options (JSON, binary fields in base64url)
 * handed to navigator.credentials, and the authenticator's answer turned back into JSON for the
 * server to verify. Written out rather than relying on PublicKeyCredential.parse*FromJSON,
 * which older browsers lack. */

export function fromBase64url(text: string): ArrayBuffer {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return bytes.buffer;
}

export function toBase64url(buffer: ArrayBuffer | null): string | null {
  if (!buffer) return null;
  let binary = "";
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

interface Descriptor { id: string; type: "public-key"; transports?: AuthenticatorTransport[] }

function descriptors(list: Descriptor[] | undefined): PublicKeyCredentialDescriptor[] | undefined {
  return list?.map((d) => ({ ...d, id: fromBase64url(d.id) }));
}

/** Make a passkey with the server's creation options; the answer as JSON. */
export async function createPasskey(optionsJson: string): Promise<string> {
  const options = JSON.parse(optionsJson) as Record<string, unknown> & {
    challenge: string; user: { id: string; name: string; displayName: string }; excludeCredentials?: Descriptor[];
  };
  const publicKey = {
    ...options, challenge: fromBase64url(options.challenge),
    user: { ...options.user, id: fromBase64url(options.user.id) },
    excludeCredentials: descriptors(options.excludeCredentials),
  } as unknown as PublicKeyCredentialCreationOptions;
  const credential = await navigator.credentials.create({ publicKey }) as PublicKeyCredential | null;
  if (!credential) throw new Error("no passkey was made");
  const response = credential.response as AuthenticatorAttestationResponse;
  return JSON.stringify({
    id: credential.id, rawId: toBase64url(credential.rawId), type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: {
      clientDataJSON: toBase64url(response.clientDataJSON),
      attestationObject: toBase64url(response.attestationObject),
      transports: response.getTransports?.() ?? [],
    },
  });
}

/** Sign the server's challenge with one of the person's passkeys; the answer as JSON. */
export async function signWithPasskey(optionsJson: string): Promise<string> {
  const options = JSON.parse(optionsJson) as Record<string, unknown> & { challenge: string; allowCredentials?: Descriptor[] };
  const publicKey = {
    ...options, challenge: fromBase64url(options.challenge), allowCredentials: descriptors(options.allowCredentials),
  } as unknown as PublicKeyCredentialRequestOptions;
  const credential = await navigator.credentials.get({ publicKey }) as PublicKeyCredential | null;
  if (!credential) throw new Error("no passkey answered");
  const response = credential.response as AuthenticatorAssertionResponse;
  return JSON.stringify({
    id: credential.id, rawId: toBase64url(credential.rawId), type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: {
      clientDataJSON: toBase64url(response.clientDataJSON),
      authenticatorData: toBase64url(response.authenticatorData),
      signature: toBase64url(response.signature), userHandle: toBase64url(response.userHandle),
    },
  });
}
