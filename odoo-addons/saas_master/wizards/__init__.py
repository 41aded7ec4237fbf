from . import lifecycle_sweep_wizard  # noqa: F401
from . import saas_instance_terminate_wizard  # noqa: F401
from . import saas_backup_restore  # noqa: F401
from . import saas_instance_create_wizard  # noqa: F401
from . import saas_backup_copy  # noqa: F401
from . import saas_instance_move_wizard  # noqa: F401
