from . import res_groups  # noqa: F401
from . import res_users  # noqa: F401
from . import res_users_apikeys  # noqa: F401
from . import saas_tenant_bridge  # noqa: F401
