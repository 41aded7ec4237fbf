from . import res_groups  # noqa: F401
from . import res_users  # noqa: F401
