"""Lead intake outside a conversation: behaviour events stored, scored and routed, and lead
scores refreshed for every account (the deterministic part of the lead scoring agent)."""
