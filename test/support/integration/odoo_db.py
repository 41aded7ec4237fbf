"""Odoo's own code against a real database, for the backup download test.

usage: odoo_db.py create DB DATA_DIR: a database with base, a partner, an attachment
       odoo_db.py restore DB ZIP DATA_DIR: odoo.service.db.restore_db of a backup zip
Both print one JSON line: the partner's name and the attachment's sha256.
Connection: PGHOST, PGPORT, PGUSER, PGPASSWORD; ODOO_SRC on sys.path.
"""

import hashlib
import json
import os
import sys

sys.path.insert(0, os.environ["ODOO_SRC"])

import odoo  # noqa: E402
from odoo.tools import config  # noqa: E402

PARTNER = "Backup Test Partner"
ATTACHMENT = "backup-test.bin"


def configure(data_dir):
    config.parse_config(
        [
            "--db_host=%s" % os.environ["PGHOST"],
            "--db_port=%s" % os.environ["PGPORT"],
            "--db_user=%s" % os.environ["PGUSER"],
            "--db_password=%s" % os.environ["PGPASSWORD"],
            "--data-dir=%s" % data_dir,
            "--log-level=warn",
        ]
    )


def describe(db):
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        partner = env["res.partner"].search([("name", "=", PARTNER)], limit=1)
        attachment = env["ir.attachment"].search([("name", "=", ATTACHMENT)], limit=1)
        return {
            "partner": partner.name,
            "sha256": hashlib.sha256(attachment.raw or b"").hexdigest(),
            "store_fname": attachment.store_fname,
        }


def create(db, data_dir):
    configure(data_dir)
    from odoo.service import db as service

    service._create_empty_database(db)
    service._initialize_db(None, db, False, "en_US", "admin")
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        env["res.partner"].create({"name": PARTNER})
        env["ir.attachment"].create({"name": ATTACHMENT, "raw": os.urandom(200_000)})
    print(json.dumps(describe(db)))


def restore(db, zip_path, data_dir):
    configure(data_dir)
    from odoo.service import db as service

    service.restore_db(db, zip_path, copy=True)
    print(json.dumps(describe(db)))


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"create": create, "restore": restore}[command](*args)
