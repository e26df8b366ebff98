"""Apps whose tables live only in the public schema: the city hub, the tenants
themselves, the network-wide calendar, Stripe's events, the installation's identity.

They may read tenant schemas only through public_schema.hub.figures (import-linter checks).
"""
