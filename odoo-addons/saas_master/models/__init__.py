from . import product_template  # noqa: F401
from . import saas_instance  # noqa: F401
from . import saas_bridge_event  # noqa: F401
from . import sale_order  # noqa: F401
from . import account_move  # noqa: F401
from . import res_config_settings  # noqa: F401
