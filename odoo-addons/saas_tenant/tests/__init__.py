from . import test_user_limit  # noqa: F401
from . import test_bridge_user  # noqa: F401
from . import test_protected_limits  # noqa: F401
from . import test_app_limit  # noqa: F401
from . import test_storage_limit  # noqa: F401
from . import test_signup  # noqa: F401
from . import test_banner_ui  # noqa: F401
from . import test_plan_modules  # noqa: F401
