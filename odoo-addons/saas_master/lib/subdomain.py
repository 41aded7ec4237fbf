"""Pure helpers for the subdomain rule of contract/saas_contract.json (no ORM here).

The ORM-aware check (format + reserved + taken) is ``saas.instance._subdomain_error``;
both the model constraint and the checkout call that one method.
"""

import re
import unicodedata

from .contract import SUBDOMAIN_RULE

# always used with fullmatch: "$" alone would also accept a trailing newline
SUBDOMAIN_RE = re.compile(SUBDOMAIN_RULE["pattern"])
RESERVED_SUBDOMAINS = frozenset(SUBDOMAIN_RULE["reserved"])
# "xn--": punycode labels, shown by browsers as look-alikes of other names
RESERVED_PREFIXES = tuple(SUBDOMAIN_RULE["reserved_prefixes"])
MAX_LENGTH = SUBDOMAIN_RULE["max_length"]
MIN_LENGTH = SUBDOMAIN_RULE["min_length"]
# What the checkout still stores and answers about; longer input is refused unread.
MAX_INPUT_LENGTH = 255


def is_clean_text(value):
    """A string without control or other invisible characters (NUL, newline, ...),
    short enough to store: the checkout refuses anything else before using it."""
    return (
        isinstance(value, str)
        and len(value) <= MAX_INPUT_LENGTH
        and not any(unicodedata.category(char).startswith("C") for char in value)
    )


def normalize_subdomain(value):
    """What the customer typed, trimmed and lower-cased (not slugified)."""
    return (value or "").strip().lower()


def slugify_subdomain(text):
    """Turn a company or person name into a candidate subdomain (may be reserved)."""
    text = unicodedata.normalize("NFKD", text or "")
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    slug = slug[:MAX_LENGTH].strip("-")
    if len(slug) < MIN_LENGTH:
        slug = ("%s-erp" % slug).strip("-") if slug else "erp"
    return slug


def with_suffix(base, number):
    """``base-<number>`` cut so that the result still fits the length rule."""
    suffix = "-%d" % number
    return base[: MAX_LENGTH - len(suffix)].rstrip("-") + suffix


def is_reserved(value):
    return value in RESERVED_SUBDOMAINS or value.startswith(RESERVED_PREFIXES)


def is_well_formed(value):
    return (
        isinstance(value, str)
        and MIN_LENGTH <= len(value) <= MAX_LENGTH
        and bool(SUBDOMAIN_RE.fullmatch(value))
    )


def tenant_db_name(subdomain):
    """Tenant database and role name (contract: ``tenant_<sub with - as _>``)."""
    return "tenant_%s" % subdomain.replace("-", "_")
