from . import saas_backup_restore  # noqa: F401
