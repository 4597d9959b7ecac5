"""Second factors of local accounts (issue 19 item 3): TOTP apps, WebAuthn passkeys and
recovery codes, the second step of a sign-in, and each group's policy of who must have one."""
