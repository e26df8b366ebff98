from ..applications.conftest import (  # noqa: F401  (the applications' fixtures, reused here)
    enterprise_x,
    in_alpha,
    owner_client,
    park_admin,
    private_media,
    programme,
    reviewer,
)
