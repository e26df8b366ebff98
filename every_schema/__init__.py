"""Apps whose tables exist in the public schema AND in every tenant schema:
accounts (an account of park A does not exist in park B; hub operators live in public).
"""
