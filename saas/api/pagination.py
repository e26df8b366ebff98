"""Pages of every API collection: the client picks the size, within a limit."""

from django.utils.translation import gettext_lazy as _
from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=N&page_size=M`: 50 a page unless asked, never more than 200 (a larger ask gets 200).

    A sync over a large park pulls 200 rows a request, and no one request can make the
    server serialise the whole table.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    page_size_query_description = _("Rows per page: 50 unless asked, at most 200 (a larger number gets 200).")
