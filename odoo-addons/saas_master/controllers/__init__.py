from . import checkout  # noqa: F401
from . import portal  # noqa: F401
from . import portal_subscription  # noqa: F401
from . import portal_backup  # noqa: F401
from . import portal_plan_change  # noqa: F401
from . import invoice_payment  # noqa: F401
from . import portal_domain  # noqa: F401
