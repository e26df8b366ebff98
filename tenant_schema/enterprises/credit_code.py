"""The Unified Social Credit Code (统一社会信用代码, GB 32100-2015), checked with python-stdnum."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength


def credit_code_normalise(value: str) -> str:
    """Upper case, no spaces or dashes: the form we store and compare."""
    return uscc.compact(value or "").upper()


def credit_code_validate(value: str, *, field: str = "credit_code") -> str:
    """Return the normalised code or raise a ValidationError on `field` saying what is wrong."""
    code = credit_code_normalise(value)
    if not code:
        raise ValidationError(
            {field: _("Enter the 18-character Unified Social Credit Code.")}, code="required"
        )
    try:
        uscc.validate(code)
    except InvalidLength:
        raise ValidationError(
            {
                field: _("A Unified Social Credit Code has 18 characters; this one has %(count)d.")
                % {"count": len(code)}
            },
            code="length",
        ) from None
    except InvalidChecksum:
        raise ValidationError(
            {
                field: _(
                    "The last character (check character) does not match; please check the code for typos."
                )
            },
            code="checksum",
        ) from None
    except (InvalidFormat, InvalidComponent):
        raise ValidationError(
            {
                field: _(
                    "Use only digits and capital letters (no I, O, Z, S or V), as printed on the business licence."
                )
            },
            code="format",
        ) from None
    return code


def credit_code_make(body: str) -> str:
    """A valid code from its first 17 characters (demo data and tests)."""
    return body + uscc.calc_check_digit(body)
