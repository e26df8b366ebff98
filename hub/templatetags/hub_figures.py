from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def cell(row, column):
    """A table cell formatted by its column's unit: money in yuan, rates in %, days to one decimal."""
    value = row.get(column.key)
    if value is None:
        return "—"
    if column.unit == "money":
        return number_format(Decimal(value).quantize(Decimal("1")), force_grouping=True)
    if column.unit == "rate":
        return f"{float(value):.1f}%"
    if column.unit == "days":
        return f"{float(value):.1f}"
    if column.unit == "count":
        return number_format(int(value), force_grouping=True)
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return value


@register.filter
def figure(value, unit):
    return cell({"v": value}, type("C", (), {"key": "v", "unit": unit})())


@register.filter
def get_flag(row, key):
    """Template access to a row's underscore flags (_city, _suspended), which {{ row._city }} cannot reach."""
    return bool(row.get(key))
