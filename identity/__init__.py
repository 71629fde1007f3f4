"""Who is asking and what they may see: users, API keys, sessions, SSO tokens, roles,
territories and the policy that turns them into query filters (docs/IDENTITY.md)."""
