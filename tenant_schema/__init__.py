"""Apps whose tables exist in every tenant schema (a park or sub-platform):
enterprises, programmes, applications, demands, billing, eligibility, notifications.

They import the kernel (saas) and every_schema, never a public_schema app except
public_schema.tenants for the current tenant (import-linter checks).
"""
