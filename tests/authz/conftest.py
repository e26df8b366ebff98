from ..billing.conftest import buyer, no_stripe, other_buyer, service  # noqa: F401
