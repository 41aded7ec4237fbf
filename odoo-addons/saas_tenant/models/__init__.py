from . import saas_tenant_plan  # noqa: F401
from . import ir_attachment  # noqa: F401
from . import ir_config_parameter  # noqa: F401
from . import ir_module_module  # noqa: F401
from . import res_groups  # noqa: F401
from . import res_users  # noqa: F401
from . import res_users_apikeys  # noqa: F401
from . import saas_tenant_bridge  # noqa: F401
