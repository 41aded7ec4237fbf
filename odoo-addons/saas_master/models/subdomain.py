"""Pure helpers for the subdomain rule of docs/contracts.md (no ORM here).

The ORM-aware check (format + reserved + taken) is ``saas.instance._subdomain_error``;
both the model constraint and the checkout call that one method.
"""

import re
import unicodedata

SUBDOMAIN_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,28})[a-z0-9]$")
RESERVED_SUBDOMAINS = frozenset(
    {
        "www",
        "admin",
        "mail",
        "api",
        "app",
        "bridge",
        "master",
        "shop",
        "odoo",
        "static",
        "smtp",
        "ftp",
        "ns1",
        "ns2",
        "localhost",
        "test",
    }
)
MAX_LENGTH = 30
MIN_LENGTH = 3


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
    return value in RESERVED_SUBDOMAINS


def is_well_formed(value):
    return bool(SUBDOMAIN_RE.match(value or ""))


def tenant_db_name(subdomain):
    """Tenant database and role name (contract: ``tenant_<sub with - as _>``)."""
    return "tenant_%s" % subdomain.replace("-", "_")
