"""What every browser walk checks on each page: it reads in Chinese, with no raw codes.

A run of English letters (an untranslated string) or a snake_case code (`pending_payment`,
`in_review`) in what a person reads fails the walk. Names of products and formats are Latin
by design; the site's own name (the test park is "Alpha Park") is what it chose, not ours.
"""

import re

LATIN_ALLOWED = {"ParkHub", "English", "Excel", "Word", "PowerPoint", "Stripe", "JPEG", "ECharts", "Apache"}
RAW_CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")  # pending_payment, in_review, use_of_funds
# Words with a lowercase letter: capitals alone are codes shown on purpose (a voucher's "BRKK-7Q2M").
LATIN_WORD = re.compile(r"\b(?=[A-Za-z]*[a-z])[A-Za-z]{4,}\b")
EMAIL = re.compile(r"\S+@\S+")


def page_problems(page) -> list[str]:
    """Untranslated words and raw codes in what a person reads (header, main content, footer)."""
    text = EMAIL.sub("", page.locator("body").inner_text())
    brand = page.locator(".brand-name")
    if brand.count():
        text = text.replace(brand.first.inner_text(), "")
    problems = [f"raw code {code!r}" for code in RAW_CODE.findall(text)]
    problems += [f"English {word!r}" for word in LATIN_WORD.findall(text) if word not in LATIN_ALLOWED]
    return problems


def assert_reads_in_chinese(page) -> None:
    problems = page_problems(page)
    assert not problems, (page.url, problems)
