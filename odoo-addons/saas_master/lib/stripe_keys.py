"""Stripe keys from the environment: which provider state they mean, or why not.

A live secret key (sk_live_/rk_live_) enables the provider for real payments, a
test key (sk_test_/rk_test_) puts it in test mode; anything else is refused with
the variable's name, as the bridge refuses a bad variable.
"""

SECRET_PREFIXES = {"sk_live_": "enabled", "rk_live_": "enabled"}
SECRET_PREFIXES.update({"sk_test_": "test", "rk_test_": "test"})
PUBLISHABLE_PREFIXES = {"enabled": "pk_live_", "test": "pk_test_"}


class StripeKeyError(ValueError):
    pass


def stripe_settings(env):
    """``None`` when no Stripe key is set (demo payments only), else the
    provider's values: ``state``, ``stripe_secret_key``, ``stripe_publishable_key``,
    ``stripe_webhook_secret``. ``env`` is a mapping such as ``os.environ``."""
    secret = (env.get("STRIPE_SECRET_KEY") or "").strip()
    publishable = (env.get("STRIPE_PUBLISHABLE_KEY") or "").strip()
    webhook = (env.get("STRIPE_WEBHOOK_SECRET") or "").strip()
    if not secret and not publishable:
        return None
    if not secret or not publishable:
        missing = "STRIPE_SECRET_KEY" if not secret else "STRIPE_PUBLISHABLE_KEY"
        raise StripeKeyError("%s is empty: Stripe needs both keys" % missing)
    state = next(
        (s for prefix, s in SECRET_PREFIXES.items() if secret.startswith(prefix)), None
    )
    if not state:
        raise StripeKeyError(
            "STRIPE_SECRET_KEY must start with sk_live_, sk_test_, rk_live_ or rk_test_"
        )
    if not publishable.startswith(PUBLISHABLE_PREFIXES[state]):
        raise StripeKeyError(
            "STRIPE_PUBLISHABLE_KEY must start with %s to match STRIPE_SECRET_KEY"
            % PUBLISHABLE_PREFIXES[state]
        )
    if webhook and not webhook.startswith("whsec_"):
        raise StripeKeyError("STRIPE_WEBHOOK_SECRET must start with whsec_")
    return {
        "state": state,
        "stripe_secret_key": secret,
        "stripe_publishable_key": publishable,
        "stripe_webhook_secret": webhook or False,
    }
